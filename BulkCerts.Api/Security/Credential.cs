using System.Security.Claims;

namespace BulkCerts.Api.Security;

/// <summary>
/// The caller of a request as the limits and supplier scopes see it: an API key by its name, a
/// bearer token by its subject, or <c>anonymous</c> when authentication is off.
/// </summary>
public sealed record Credential(string Name, IReadOnlySet<string>? Suppliers)
{
    public const string NameClaim = "bulkcerts:credential";
    public const string SupplierClaim = "bulkcerts:supplier";

    public static readonly Credential Anonymous = new("anonymous", Suppliers: null);

    /// <summary>Whether this credential may use the supplier; an unscoped credential may use all.</summary>
    public bool MayUse(string? supplierId) =>
        Suppliers is null || (supplierId is not null && Suppliers.Contains(supplierId));

    public string DescribeScope() => Suppliers is null
        ? "every supplier"
        : $"supplier{(Suppliers.Count == 1 ? string.Empty : "s")} {string.Join(", ", Suppliers.Order())}";

    public static Credential From(ClaimsPrincipal user)
    {
        if (user.FindFirst(NameClaim)?.Value is not { } name)
        {
            return Anonymous;
        }

        var suppliers = user.FindAll(SupplierClaim).Select(claim => claim.Value).ToList();
        return new Credential(
            name,
            suppliers.Count == 0 ? null : new HashSet<string>(suppliers, StringComparer.OrdinalIgnoreCase));
    }

    public static ClaimsIdentity CreateIdentity(string name, IEnumerable<string> suppliers, string scheme)
    {
        var identity = new ClaimsIdentity(scheme, NameClaim, roleType: null);
        identity.AddClaim(new Claim(NameClaim, name));
        foreach (var supplier in suppliers)
        {
            identity.AddClaim(new Claim(SupplierClaim, supplier));
        }

        return identity;
    }
}

public static class CredentialHttpContextExtensions
{
    public static Credential GetCredential(this HttpContext context) => Credential.From(context.User);
}
