using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Downloads;

/// <summary>Checks <c>BulkCerts:SignedUrls</c> at start-up. Each failure names its full key.</summary>
internal sealed class SignedUrlOptionsValidator : IValidateOptions<SignedUrlOptions>
{
    public ValidateOptionsResult Validate(string? name, SignedUrlOptions options)
    {
        const string Section = SignedUrlOptions.SectionName;
        var failures = new List<string>();

        if (options.ExpirySeconds is < SignedUrlOptions.MinExpirySeconds or > SignedUrlOptions.MaxExpirySeconds)
        {
            failures.Add($"{Section}:ExpirySeconds is {options.ExpirySeconds}; set a number of seconds from " +
                $"{SignedUrlOptions.MinExpirySeconds} to {SignedUrlOptions.MaxExpirySeconds} (7 days), such as 3600.");
        }

        if (!string.IsNullOrWhiteSpace(options.BaseUrl) && !IsBaseUrl(options.BaseUrl))
        {
            failures.Add($"{Section}:BaseUrl '{options.BaseUrl}' is not an absolute http or https URL without " +
                "user info, query or fragment; set the public address of the Api, such as https://certs.example.com.");
        }

        // The key itself is never echoed, because it is a secret.
        if (!string.IsNullOrWhiteSpace(options.SigningKey) && TryDecodeKey(options.SigningKey) is null)
        {
            failures.Add($"{Section}:SigningKey is not base64 of at least {SignedUrlOptions.MinSigningKeyBytes} " +
                "bytes; create one with: openssl rand -base64 32");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Decodes a configured signing key, or returns null when it is not base64 of enough bytes.</summary>
    public static byte[]? TryDecodeKey(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written)
            && written >= SignedUrlOptions.MinSigningKeyBytes
                ? buffer[..written]
                : null;
    }

    private static bool IsBaseUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.UserInfo.Length == 0
        && uri.Query.Length == 0
        && uri.Fragment.Length == 0
        && !text.Contains('?')
        && !text.Contains('#');
}
