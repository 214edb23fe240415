using System.Collections.Concurrent;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.CertEngine.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.Registry;

/// <summary>
/// The current signed revocation list of each CA. A list is kept in Redis, so that every Api
/// process serves the same one, and in memory, so that a request reads only its number from Redis.
/// It is signed anew when a certificate of its CA was revoked since (the revision moved), or when
/// half of its validity has passed. One process at a time signs a CA's list, under a lock in Redis,
/// and a list replaces the stored one only with a higher cRLNumber, so the number never goes back.
/// </summary>
public sealed partial class RevocationLists(
    IConnectionMultiplexer redis,
    RegistryStore registry,
    CertEngines engines,
    IOptions<RegistryOptions> options,
    TimeProvider clock,
    ILogger<RevocationLists> logger)
{
    private static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitForOther = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SignTimeout = TimeSpan.FromSeconds(10);

    // Stores a new list while this process still holds the lock, and only over a lower number.
    private const string StoreScript = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
        local current = tonumber(redis.call('HGET', KEYS[1], 'number') or '0')
        if tonumber(ARGV[2]) <= current then return 0 end
        redis.call('HSET', KEYS[1], 'number', ARGV[2], 'revision', ARGV[3], 'thisUpdate', ARGV[4],
          'nextUpdate', ARGV[5], 'der', ARGV[6])
        return 1
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private readonly IDatabase _database = redis.GetDatabase();
    private readonly ConcurrentDictionary<string, SignedList> _memory = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns the CA's current list, signing a new one when needed. Throws an RpcException with
    /// NOT_FOUND when the CertEngine has no CA of this alias.
    /// </summary>
    public async Task<SignedList> GetAsync(string alias, CancellationToken cancellationToken)
    {
        var key = alias.ToLowerInvariant();
        var deadline = clock.GetUtcNow() + WaitForOther;
        while (true)
        {
            var (stored, revision) = await ReadStateAsync(key);
            var now = clock.GetUtcNow();
            if (stored is not null && stored.IsCurrent(revision, now))
            {
                return await LoadAsync(key, stored);
            }

            var token = Guid.NewGuid().ToString("N");
            var locked = await _database.StringSetAsync(
                RegistryKeys.RevocationListLock(key), token, LockLifetime, When.NotExists);
            if (locked)
            {
                try
                {
                    return await SignAsync(key, alias, token, stored?.Number ?? 0, cancellationToken);
                }
                finally
                {
                    await _database.ScriptEvaluateAsync(ReleaseScript, [RegistryKeys.RevocationListLock(key)], [token]);
                }
            }

            // Another process is signing: wait for its list, or serve the last one while it is valid.
            if (clock.GetUtcNow() > deadline)
            {
                if (stored is not null && now < stored.NextUpdate)
                {
                    return await LoadAsync(key, stored);
                }

                throw new RevocationListUnavailableException(
                    $"The revocation list of certificate authority '{alias}' is being signed by another Api process " +
                    "that has not finished; retry in a few seconds.");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private async Task<SignedList> SignAsync(
        string key,
        string alias,
        string token,
        long lastNumber,
        CancellationToken cancellationToken)
    {
        // Read again under the lock: another process may have stored a list since the first read.
        var (stored, _) = await ReadStateAsync(key);
        var number = Math.Max(lastNumber, stored?.Number ?? 0) + 1;
        var now = clock.GetUtcNow();
        var (revision, entries) = await registry.ReadRevokedAsync(key, now);

        // Times in a list have whole seconds, and thisUpdate must not precede any revocation it lists.
        var thisUpdate = WholeSeconds(now);
        foreach (var entry in entries)
        {
            var revokedAt = WholeSeconds(entry.RevokedAt);
            thisUpdate = revokedAt > thisUpdate ? revokedAt : thisUpdate;
        }

        var nextUpdate = thisUpdate + options.Value.CrlValidity;
        var request = new SignRevocationListRequest
        {
            CertificateAuthority = alias,
            CrlNumber = number,
            ThisUpdate = Timestamp.FromDateTimeOffset(thisUpdate),
            NextUpdate = Timestamp.FromDateTimeOffset(nextUpdate),
        };
        request.Revoked.AddRange(entries.Select(entry => new RevokedCertificate
        {
            SerialNumber = entry.SerialNumber,
            RevocationDate = Timestamp.FromDateTimeOffset(WholeSeconds(entry.RevokedAt)),
            Reason = entry.ReasonCode,
        }));

        SignRevocationListResponse response;
        try
        {
            response = await engines.PickClient().SignRevocationListAsync(
                request,
                deadline: DateTime.UtcNow + SignTimeout,
                cancellationToken: cancellationToken);
        }
        catch (RpcException exception) when (stored is not null && now < stored.NextUpdate
            && exception.StatusCode is not (StatusCode.NotFound or StatusCode.Cancelled))
        {
            // The stored list is still valid, though it lacks the newest revocations: serving it beats
            // serving none. The next request tries to sign again.
            LogStoredListServed(logger, exception, alias, stored.Number);
            return await LoadAsync(key, stored);
        }

        var list = new SignedList(number, revision, thisUpdate, nextUpdate, response.CrlDer.ToByteArray());
        var written = (int)await _database.ScriptEvaluateAsync(
            StoreScript,
            [RegistryKeys.RevocationList(key), RegistryKeys.RevocationListLock(key)],
            [
                token, number, revision, thisUpdate.ToUnixTimeSeconds(), nextUpdate.ToUnixTimeSeconds(), list.Der,
            ]);
        if (written == 0)
        {
            // The lock expired and another process stored a later list: serve that one.
            var (later, _) = await ReadStateAsync(key);
            return later is null ? list : await LoadAsync(key, later);
        }

        LogListSigned(logger, alias, number, entries.Count);
        _memory[key] = list;
        return list;
    }

    /// <summary>Reads the stored list's fields other than its DER, and the CA's revision.</summary>
    private async Task<(SignedList? Stored, long Revision)> ReadStateAsync(string key)
    {
        var fieldsTask = _database.HashGetAsync(
            RegistryKeys.RevocationList(key), ["number", "revision", "thisUpdate", "nextUpdate"]);
        var revisionTask = registry.GetRevisionAsync(key);
        var fields = await fieldsTask;
        var revision = await revisionTask;
        if (fields[0].IsNull)
        {
            return (null, revision);
        }

        var stored = new SignedList(
            (long)fields[0],
            (long)fields[1],
            DateTimeOffset.FromUnixTimeSeconds((long)fields[2]),
            DateTimeOffset.FromUnixTimeSeconds((long)fields[3]),
            Der: []);
        return (stored, revision);
    }

    /// <summary>Returns the list from memory when it is the stored one, else reads its DER from Redis.</summary>
    private async Task<SignedList> LoadAsync(string key, SignedList stored)
    {
        if (_memory.TryGetValue(key, out var cached) && cached.Number == stored.Number)
        {
            return cached;
        }

        var der = (byte[]?)await _database.HashGetAsync(RegistryKeys.RevocationList(key), "der") ?? [];
        var list = stored with { Der = der };
        _memory[key] = list;
        return list;
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning,
        Message = "The CertEngine could not sign a new revocation list of certificate authority {Alias}; " +
            "serving list {CrlNumber}, which is still valid")]
    private static partial void LogStoredListServed(ILogger logger, Exception exception, string alias, long crlNumber);

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    [LoggerMessage(EventId = 700, Level = LogLevel.Information,
        Message = "Signed revocation list {CrlNumber} of certificate authority {Alias} with {Count} entries")]
    private static partial void LogListSigned(ILogger logger, string alias, long crlNumber, int count);
}

/// <summary>A signed revocation list, its number, the CA revision it lists, and its validity.</summary>
public sealed record SignedList(
    long Number,
    long Revision,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    byte[] Der)
{
    /// <summary>An entity tag that changes with each new list.</summary>
    public string ETag => $"\"crl-{Number}\"";

    /// <summary>
    /// Returns whether the list contains every revocation up to <paramref name="revision"/> and is in the
    /// first half of its validity.
    /// </summary>
    public bool IsCurrent(long revision, DateTimeOffset now) =>
        Revision == revision && now < ThisUpdate + ((NextUpdate - ThisUpdate) / 2);
}

/// <summary>Another Api process is signing the list and has not finished in time.</summary>
public sealed class RevocationListUnavailableException(string message) : Exception(message);
