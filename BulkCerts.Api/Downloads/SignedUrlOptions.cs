namespace BulkCerts.Api.Downloads;

/// <summary>Settings of the signed chunk download URLs, bound from <c>BulkCerts:SignedUrls</c>.</summary>
public sealed class SignedUrlOptions
{
    public const string SectionName = $"{BulkCertsOptions.SectionName}:SignedUrls";

    public const int MinExpirySeconds = 60;

    /// <summary>Seven days, because a signed URL is a bearer credential for private keys.</summary>
    public const int MaxExpirySeconds = 7 * 24 * 3600;

    public const int MinSigningKeyBytes = 32;

    /// <summary>Lifetime of a signed URL, in seconds.</summary>
    public int ExpirySeconds { get; set; } = 3600;

    /// <summary>
    /// Public address of the Api that signed URLs start with, such as <c>https://certs.example.com</c>,
    /// for an Api behind a reverse proxy. When empty, URLs start with the scheme and Host header of
    /// the request for the URLs.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// Base64 of the HMAC-SHA256 key that signs URLs, at least 32 bytes. When empty, the key is
    /// derived from the current result encryption key.
    /// </summary>
    public string? SigningKey { get; set; }
}
