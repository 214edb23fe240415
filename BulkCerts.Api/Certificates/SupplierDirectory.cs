using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Certificates;

/// <summary>Looks up the CA alias of a supplier; supplier ids compare case-insensitively.</summary>
public sealed class SupplierDirectory(IOptions<BulkCertsOptions> options)
{
    private readonly Dictionary<string, string> _authorities =
        new(options.Value.Suppliers, StringComparer.OrdinalIgnoreCase);

    public bool TryGetAuthority(string supplierId, [NotNullWhen(true)] out string? authority) =>
        _authorities.TryGetValue(supplierId, out authority);
}
