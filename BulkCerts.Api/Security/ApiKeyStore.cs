using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Security;

/// <summary>
/// The configured API keys, held as SHA-256 hashes. A presented key is hashed and compared with
/// every configured hash in constant time, so neither the timing nor the order of the keys reveals
/// how close a guess came.
/// </summary>
public sealed class ApiKeyStore
{
    private readonly (string Name, byte[] Hash, ApiKeyOptions Options)[] _keys;

    public ApiKeyStore(IOptions<AuthOptions> options)
    {
        _keys = [.. options.Value.ApiKeys
            .Where(entry => !string.IsNullOrWhiteSpace(entry.Value.Hash))
            .Select(entry => (entry.Key, Convert.FromHexString(entry.Value.Hash!.Trim()), entry.Value))];
    }

    public (string Name, ApiKeyOptions Options)? Find(string presentedKey)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), presented);

        (string, ApiKeyOptions)? match = null;
        foreach (var (name, hash, keyOptions) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                match = (name, keyOptions);
            }
        }

        return match;
    }

    /// <summary>
    /// Returns the settings of the API key behind a credential name such as <c>api-key:factory</c>,
    /// or null for other credentials.
    /// </summary>
    public ApiKeyOptions? GetOptions(string credentialName) =>
        credentialName.StartsWith(CredentialPrefix, StringComparison.Ordinal)
            && Array.Find(_keys, key => key.Name == credentialName[CredentialPrefix.Length..]) is { Options: { } found }
            ? found
            : null;

    /// <summary>The prefix of the credential names of API keys.</summary>
    public const string CredentialPrefix = "api-key:";

    /// <summary>
    /// Returns a credential's limit, the API key's own when it sets one, and the name of the setting
    /// it comes from.
    /// </summary>
    public (int Value, string Setting) GetLimit(
        string credentialName,
        Func<ApiKeyOptions, int?> keyLimit,
        int defaultLimit,
        string name)
    {
        return GetOptions(credentialName) is { } key && keyLimit(key) is { } own
            ? (own, $"{AuthOptions.SectionName}:ApiKeys:{credentialName[CredentialPrefix.Length..]}:{name}")
            : (defaultLimit, $"{RateLimitOptions.SectionName}:{name}");
    }

    public static string HashKey(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
