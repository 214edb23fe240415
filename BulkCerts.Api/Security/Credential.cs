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

    /// <summary>Marks a credential limited to its supplier claims, even when it has none.</summary>
    public const string ScopedClaim = "bulkcerts:scoped";

    public static readonly Credential Anonymous = new("anonymous", Suppliers: null);

    /// <summary>Whether this credential may use the supplier; an unscoped credential may use all.</summary>
    public bool MayUse(string? supplierId) =>
        Suppliers is null || (supplierId is not null && Suppliers.Contains(supplierId));

    public string DescribeScope() => Suppliers switch
    {
        null => "every supplier",
        { Count: 0 } => "no supplier",
        { Count: 1 } => $"supplier {Suppliers.Single()}",
        _ => $"suppliers {string.Join(", ", Suppliers.Order())}",
    };

    public static Credential From(ClaimsPrincipal user)
    {
        if (user.FindFirst(NameClaim)?.Value is not { } name)
        {
            return Anonymous;
        }

        var suppliers = user.FindAll(SupplierClaim).Select(claim => claim.Value).ToList();
        var scoped = suppliers.Count > 0 || user.HasClaim(claim => claim.Type == ScopedClaim);
        return new Credential(name, scoped ? new HashSet<string>(suppliers, StringComparer.OrdinalIgnoreCase) : null);
    }

    /// <summary>
    /// Creates the identity of a credential. With <paramref name="scoped"/>, the credential may use
    /// only <paramref name="suppliers"/>, even when that list is empty.
    /// </summary>
    public static ClaimsIdentity CreateIdentity(
        string name,
        IReadOnlyCollection<string> suppliers,
        string scheme,
        bool scoped = false)
    {
        var identity = new ClaimsIdentity(scheme, NameClaim, roleType: null);
        identity.AddClaim(new Claim(NameClaim, name));
        if (scoped || suppliers.Count > 0)
        {
            identity.AddClaim(new Claim(ScopedClaim, "true"));
        }

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
