using System.Security.Cryptography;
using System.Text;
using BulkCerts.Api.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.Tasks;

/// <summary>
/// Maps a client's Idempotency-Key to the task it created, for the retention period, so a
/// retried POST returns that task instead of creating another.
/// </summary>
public sealed class IdempotencyKeys(
    IConnectionMultiplexer redis,
    ResultProtector protector,
    IOptions<BulkCertsOptions> options)
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>The HKDF label that derives the fingerprint key from the result encryption key.</summary>
    private const string KeyDerivationLabel = "bulkcerts idempotency fingerprint";

    private readonly IDatabase _database = redis.GetDatabase();
    private readonly byte[] _fingerprintKey = protector.DeriveKey(KeyDerivationLabel, 32);

    public static bool IsValid(string key) =>
        key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>
    /// Claims <paramref name="key"/> for a new task, atomically. Returns null when the claim
    /// succeeded, or the earlier claim: its task id and the fingerprint of its request.
    /// </summary>
    public async Task<(string TaskId, string Fingerprint)?> ClaimAsync(string key, string fingerprint, string taskId)
    {
        var redisKey = RedisKeyOf(key);
        var claimed = await _database.StringSetAsync(
            redisKey,
            $"{taskId} {fingerprint}",
            options.Value.Retention,
            When.NotExists);
        if (claimed)
        {
            return null;
        }

        var existing = (string?)await _database.StringGetAsync(redisKey);
        return existing?.Split(' ') is [var existingTaskId, var existingFingerprint]
            ? (existingTaskId, existingFingerprint)
            : null;
    }

    /// <summary>Releases a claim whose task was not created, so a retry can create it.</summary>
    public Task ReleaseAsync(string key) => _database.KeyDeleteAsync(RedisKeyOf(key));

    /// <summary>
    /// Returns a keyed fingerprint of a request, to tell a retry from a different request. A body
    /// can contain a PKCS#12 password, and a plain hash in Redis would let its readers test guesses.
    /// </summary>
    public string Fingerprint(string path, string body) => Fingerprint(_fingerprintKey, path, body);

    /// <summary>Starts the keyed fingerprint of a body that is read in parts.</summary>
    public IncrementalHash StartFingerprint(string path) => StartFingerprint(_fingerprintKey, path);

    internal static string Fingerprint(byte[] key, string path, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{path}\n{body}")));

    /// <summary>
    /// Starts the fingerprint <see cref="Fingerprint(byte[], string, string)"/> computes, for a body
    /// read in parts: append the body to the returned hash, then take its hash as lowercase hex.
    /// </summary>
    internal static IncrementalHash StartFingerprint(byte[] key, string path)
    {
        var hash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hash.AppendData(Encoding.UTF8.GetBytes($"{path}\n"));
        return hash;
    }

    // The client's key is hashed, so any header value makes a safe Redis key.
    private static RedisKey RedisKeyOf(string key) =>
        $"bulkcerts:idempotency:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}";
}
