using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// Signs and verifies chunk download URLs of the form
/// <c>/certificates/{taskId}/chunks/{chunkId}?expires={unix seconds}&amp;signature={base64url}</c>.
/// The signature is an HMAC-SHA256 of the method, the path and the expiry, so a URL whose task id,
/// chunk id, expiry or signature was changed does not verify.
/// </summary>
public sealed class ChunkUrlSigner
{
    public const string ExpiresParameter = "expires";
    public const string SignatureParameter = "signature";

    /// <summary>
    /// The HKDF label that derives the signing key from the result encryption key. Changing it
    /// invalidates every URL issued before.
    /// </summary>
    public const string KeyDerivationLabel = "BulkCerts signed chunk download URL key v1";

    public const int DerivedKeyBytes = 32;

    // The start of every signed text, so that a MAC this key makes for any other purpose never verifies here.
    private const string SignedTextVersion = "bulkcerts-chunk-url-v1";

    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;

    public ChunkUrlSigner(IOptions<SignedUrlOptions> options, ResultProtector protector, TimeProvider clock)
        : this(ReadKey(options.Value, protector), TimeSpan.FromSeconds(options.Value.ExpirySeconds), clock)
    {
    }

    public ChunkUrlSigner(byte[] key, TimeSpan lifetime, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, SignedUrlOptions.MinSigningKeyBytes);
        _key = key;
        _lifetime = lifetime;
        _clock = clock;
    }

    /// <summary>
    /// Signs the download of each chunk of the range and returns the paths with their query, in chunk
    /// order, and the time at which all of them expire.
    /// </summary>
    public (IReadOnlyList<string> Paths, DateTimeOffset Expires) Sign(string taskId, ChunkRange chunks)
    {
        var expires = _clock.GetUtcNow().Add(_lifetime).ToUnixTimeSeconds();
        var expiresText = expires.ToString(CultureInfo.InvariantCulture);
        var paths = new List<string>(chunks.Count);
        for (var chunkId = chunks.First; chunkId <= chunks.Last; chunkId++)
        {
            var chunkText = chunkId.ToString(CultureInfo.InvariantCulture);
            var signature = Base64Url.EncodeToString(ComputeMac(taskId, chunkText, expiresText));
            var query = $"{ExpiresParameter}={expiresText}&{SignatureParameter}={signature}";
            paths.Add($"{ChunkPath(taskId, chunkText)}?{query}");
        }

        return (paths, DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>
    /// Verifies a request for a chunk download: the route values as received and the query values
    /// of <see cref="ExpiresParameter"/> and <see cref="SignatureParameter"/>. The signature is
    /// checked before the expiry, so only an unaltered URL is reported as expired.
    /// </summary>
    public SignedUrlCheck Verify(string taskId, string chunkId, StringValues expires, StringValues signature)
    {
        if (StringValues.IsNullOrEmpty(expires))
        {
            return new(SignedUrlStatus.Missing, MissingParameter: ExpiresParameter);
        }

        if (StringValues.IsNullOrEmpty(signature))
        {
            return new(SignedUrlStatus.Missing, MissingParameter: SignatureParameter);
        }

        // Values in any form but the one this class signs are altered. This also keeps the signed
        // text unambiguous, since none of them can then contain its line separator.
        if (expires.Count != 1 || signature.Count != 1
            || !TaskIds.IsValid(taskId) || taskId != taskId.ToLowerInvariant()
            || !IsCanonicalNumber(chunkId, out _) || !IsCanonicalNumber(expires[0]!, out var expiresSeconds))
        {
            return new(SignedUrlStatus.Altered);
        }

        var expected = Base64Url.EncodeToString(ComputeMac(taskId, chunkId, expires[0]!));
        var presented = signature[0]!;
        if (!CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(expected.AsSpan()), MemoryMarshal.AsBytes(presented.AsSpan())))
        {
            return new(SignedUrlStatus.Altered);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        return _clock.GetUtcNow() >= expiresAt
            ? new(SignedUrlStatus.Expired, ExpiredAt: expiresAt)
            : new(SignedUrlStatus.Valid);
    }

    private byte[] ComputeMac(string taskId, string chunkId, string expires)
    {
        var text = $"{SignedTextVersion}\nGET\n{ChunkPath(taskId, chunkId)}\n{expires}";
        return HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text));
    }

    private static string ChunkPath(string taskId, string chunkId) => $"/certificates/{taskId}/chunks/{chunkId}";

    /// <summary>
    /// Returns whether <paramref name="text"/> is a positive whole number in digits only, without
    /// leading zeros, and parses it.
    /// </summary>
    private static bool IsCanonicalNumber(string text, out long value)
    {
        value = 0;
        return text.Length is > 0 and <= 18
            && text[0] != '0'
            && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static byte[] ReadKey(SignedUrlOptions options, ResultProtector protector) =>
        string.IsNullOrWhiteSpace(options.SigningKey)
            ? protector.DeriveKey(KeyDerivationLabel, DerivedKeyBytes)
            : SignedUrlOptionsValidator.TryDecodeKey(options.SigningKey)
                ?? throw new InvalidOperationException(
                    $"{SignedUrlOptions.SectionName}:SigningKey passed validation but cannot be decoded.");
}

public enum SignedUrlStatus
{
    Valid,

    /// <summary>The expires or signature parameter is absent or empty.</summary>
    Missing,

    /// <summary>The signature does not match the task id, chunk id and expiry, or one is malformed.</summary>
    Altered,

    /// <summary>The URL is unaltered but its expiry has passed.</summary>
    Expired,
}

/// <summary>The outcome of verifying a signed chunk URL, with the missing parameter or the expiry it had.</summary>
public readonly record struct SignedUrlCheck(
    SignedUrlStatus Status,
    string? MissingParameter = null,
    DateTimeOffset? ExpiredAt = null);
