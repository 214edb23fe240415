namespace BulkCerts.Api.Security;

/// <summary>
/// Who may call the API, bound from <c>BulkCerts:Auth</c>. At least one API key or a JWT issuer is
/// required unless <see cref="AllowAnonymous"/> is set.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = $"{BulkCertsOptions.SectionName}:Auth";

    /// <summary>Serves every endpoint without credentials. For isolated development only.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>API keys by name; the name identifies the caller in logs and limits.</summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = [];

    public JwtOptions Jwt { get; set; } = new();
}

public sealed class ApiKeyOptions
{
    /// <summary>Hex SHA-256 of the key, as <c>printf %s "$KEY" | sha256sum</c> prints it.</summary>
    public string? Hash { get; set; }

    /// <summary>Suppliers the key may use; empty for every supplier and the default CA.</summary>
    public List<string> Suppliers { get; set; } = [];

    /// <summary>Overrides <c>BulkCerts:RateLimit:RequestsPerMinute</c> for this key.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Overrides <c>BulkCerts:RateLimit:MaxRunningTasks</c> for this key.</summary>
    public int? MaxRunningTasks { get; set; }
}

public sealed class JwtOptions
{
    /// <summary>Required issuer (<c>iss</c>). Setting it turns on bearer tokens.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required audience (<c>aud</c>).</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Keys that verify token signatures: base64 of an HMAC secret of at least 32 bytes, or a PEM
    /// RSA or EC public key.
    /// </summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>
    /// An OpenID Connect authority whose published keys verify tokens, instead of or besides
    /// <see cref="SigningKeys"/>.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>Claim listing the suppliers a token may use; a token without it may use all.</summary>
    public string SupplierClaim { get; set; } = "suppliers";

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);
}
