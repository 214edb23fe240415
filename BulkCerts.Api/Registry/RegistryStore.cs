using BulkCerts.Api.Tasks;
using BulkCerts.CertEngine.V1;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.Registry;

/// <summary>
/// The registry of issued certificates in Redis: one hash per certificate under its CA's hash tag,
/// a fingerprint index that names the CA, and per CA the revoked set and a revision counter that
/// every revocation increments. Each record expires <see cref="RegistryOptions.RetentionAfterExpiry"/>
/// after its certificate's notAfter, independently of the task.
/// </summary>
public sealed class RegistryStore(
    IConnectionMultiplexer redis,
    IOptions<RegistryOptions> options,
    TimeProvider clock)
{
    private const int FieldsPerCertificate = 7;

    // Writes the records that do not exist yet: a chunk registered again, after a retry, leaves the
    // records of the first attempt as they are, revocations included. ARGV contains the CA alias, task id,
    // supplier id ('' for none) and registration time,
    // then FieldsPerCertificate values per key.
    private const string RegisterScript = """
        local added = 0
        for i, key in ipairs(KEYS) do
          if redis.call('EXISTS', key) == 0 then
            local b = 5 + (i - 1) * 7
            redis.call('HSET', key, 'fingerprint', ARGV[b], 'serialNumber', ARGV[b + 1], 'subject', ARGV[b + 2],
              'issuer', ARGV[b + 3], 'notBefore', ARGV[b + 4], 'notAfter', ARGV[b + 5],
              'certificateAuthority', ARGV[1], 'taskId', ARGV[2], 'registeredAt', ARGV[4], 'status', 'valid')
            if ARGV[3] ~= '' then redis.call('HSET', key, 'supplierId', ARGV[3]) end
            redis.call('PEXPIREAT', key, ARGV[b + 6])
            added = added + 1
          end
        end
        return added
        """;

    // Revokes a record, adds it to its CA's revoked set and moves the CA's revision, all at once.
    // Returns 0 when the record is gone, 2 when it was revoked before, 1 when revoked now.
    private const string RevokeScript = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if not status then return 0 end
        if status == 'revoked' then return 2 end
        local fields = redis.call('HMGET', KEYS[1], 'fingerprint', 'notAfter')
        redis.call('HSET', KEYS[1], 'status', 'revoked', 'revokedAt', ARGV[2], 'reasonCode', ARGV[1])
        redis.call('ZADD', KEYS[2], fields[2], fields[1])
        redis.call('INCR', KEYS[3])
        return 1
        """;

    // Returns the CA's revision and, for every revoked certificate not yet expired, its serial number,
    // revocation time and reason code. Expired ones leave the revoked set, since no list carries them.
    private const string ReadRevokedScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
        local result = { redis.call('GET', KEYS[2]) or '0' }
        for _, fingerprint in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')) do
          local fields = redis.call('HMGET', ARGV[2] .. fingerprint, 'serialNumber', 'revokedAt', 'reasonCode')
          if fields[1] and fields[2] then
            table.insert(result, fields[1])
            table.insert(result, fields[2])
            table.insert(result, fields[3] or '0')
          end
        end
        return result
        """;

    private readonly IDatabase _database = redis.GetDatabase();

    /// <summary>
    /// Records the certificates of a chunk that were issued; entries with an error are skipped.
    /// Safe to repeat for the same certificates. Returns the number of records written now.
    /// </summary>
    public async Task<int> RegisterAsync(TaskRecord task, IEnumerable<IssuedCertificate> certificates)
    {
        var issued = certificates.Where(certificate => certificate.Error.Length == 0).ToList();
        if (issued.Count == 0)
        {
            return 0;
        }

        var alias = task.CertificateAuthority.ToLowerInvariant();
        var retention = options.Value.RetentionAfterExpiry;
        var keys = new RedisKey[issued.Count];
        var values = new List<RedisValue>(4 + (issued.Count * FieldsPerCertificate))
        {
            task.CertificateAuthority,
            task.TaskId,
            task.SupplierId ?? string.Empty,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        for (var index = 0; index < issued.Count; index++)
        {
            var certificate = issued[index];
            var notAfter = certificate.NotAfter.ToDateTimeOffset();
            keys[index] = RegistryKeys.Certificate(alias, certificate.CertId);
            values.Add(certificate.CertId);
            values.Add(certificate.SerialNumber);
            values.Add(certificate.Subject);
            values.Add(certificate.Issuer);
            values.Add(certificate.NotBefore.ToDateTimeOffset().ToUnixTimeMilliseconds());
            values.Add(notAfter.ToUnixTimeMilliseconds());
            values.Add((notAfter + retention).ToUnixTimeMilliseconds());
        }

        var added = (int)await _database.ScriptEvaluateAsync(RegisterScript, keys, [.. values]);

        // The index is written after the records, so a fingerprint it names always has its record.
        var now = clock.GetUtcNow();
        await Task.WhenAll(issued.Select(certificate => _database.StringSetAsync(
            RegistryKeys.Fingerprint(certificate.CertId),
            alias,
            certificate.NotAfter.ToDateTimeOffset() + retention - now)));
        return added;
    }

    /// <summary>Returns the record of a fingerprint in normal form, or null when none is registered.</summary>
    public async Task<CertificateRecord?> GetAsync(string fingerprint)
    {
        var alias = await _database.StringGetAsync(RegistryKeys.Fingerprint(fingerprint));
        if (alias.IsNullOrEmpty)
        {
            return null;
        }

        return CertificateRecord.FromHash(
            await _database.HashGetAllAsync(RegistryKeys.Certificate(alias.ToString(), fingerprint)));
    }

    /// <summary>Revokes a record found by <see cref="GetAsync"/>, and returns the outcome and the record now.</summary>
    public async Task<(RevocationOutcome Outcome, CertificateRecord? Record)> RevokeAsync(
        CertificateRecord record,
        int reasonCode,
        DateTimeOffset revokedAt)
    {
        var alias = record.CertificateAuthority.ToLowerInvariant();
        var key = RegistryKeys.Certificate(alias, record.Fingerprint);
        var result = (int)await _database.ScriptEvaluateAsync(
            RevokeScript,
            [key, RegistryKeys.Revoked(alias), RegistryKeys.Revision(alias)],
            [reasonCode, revokedAt.ToUnixTimeMilliseconds()]);
        var now = CertificateRecord.FromHash(await _database.HashGetAllAsync(key));
        return result switch
        {
            1 when now is not null => (RevocationOutcome.Revoked, now),
            2 when now is not null => (RevocationOutcome.AlreadyRevoked, now),
            _ => (RevocationOutcome.NotFound, null),
        };
    }

    /// <summary>Returns the CA's revision: it changes with every revocation of one of its certificates.</summary>
    public async Task<long> GetRevisionAsync(string alias) =>
        (long?)await _database.StringGetAsync(RegistryKeys.Revision(alias)) ?? 0;

    /// <summary>
    /// Returns the CA's revision and its revoked certificates that have not expired at <paramref name="now"/>.
    /// </summary>
    public async Task<(long Revision, List<RevokedEntry> Entries)> ReadRevokedAsync(string alias, DateTimeOffset now)
    {
        var prefix = RegistryKeys.Certificate(alias, string.Empty).ToString();
        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(
            ReadRevokedScript,
            [RegistryKeys.Revoked(alias), RegistryKeys.Revision(alias)],
            [now.ToUnixTimeMilliseconds(), prefix]))!;
        var entries = new List<RevokedEntry>();
        for (var index = 1; index + 2 < result.Length; index += 3)
        {
            entries.Add(new RevokedEntry(
                result[index].ToString()!,
                DateTimeOffset.FromUnixTimeMilliseconds((long)result[index + 1]),
                (int)result[index + 2]));
        }

        return ((long)result[0], entries);
    }
}

public enum RevocationOutcome
{
    NotFound,
    Revoked,
    AlreadyRevoked,
}

/// <summary>One entry of a revocation list: the serial number in hex, when and why it was revoked.</summary>
public sealed record RevokedEntry(string SerialNumber, DateTimeOffset RevokedAt, int ReasonCode);
