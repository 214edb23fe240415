using StackExchange.Redis;

namespace BulkCerts.Api.Registry;

/// <summary>
/// Redis key names of the registry. The CA alias, lowercase, sits in braces, a Redis Cluster hash
/// tag, so that a revocation changes a record, its CA's revoked set and revision in one script.
/// The fingerprint index, which names the CA of each fingerprint, is keyed by fingerprint alone.
/// </summary>
public static class RegistryKeys
{
    /// <summary>String: the lowercase CA alias of a registered fingerprint.</summary>
    public static RedisKey Fingerprint(string fingerprint) => $"bulkcerts:registry:fingerprint:{fingerprint}";

    /// <summary>Hash: the record of one certificate; see <see cref="CertificateRecord"/>.</summary>
    public static RedisKey Certificate(string alias, string fingerprint) =>
        $"{AuthorityPrefix(alias)}cert:{fingerprint}";

    /// <summary>Sorted set of the fingerprints of a CA's revoked certificates, scored by notAfter (Unix ms).</summary>
    public static RedisKey Revoked(string alias) => $"{AuthorityPrefix(alias)}revoked";

    /// <summary>Counter that each revocation of a CA's certificate increments.</summary>
    public static RedisKey Revision(string alias) => $"{AuthorityPrefix(alias)}revision";

    /// <summary>Hash: the CA's current signed revocation list and what it was made from.</summary>
    public static RedisKey RevocationList(string alias) => $"{AuthorityPrefix(alias)}crl";

    /// <summary>The lock that one Api process holds while it signs a new list for the CA.</summary>
    public static RedisKey RevocationListLock(string alias) => $"{AuthorityPrefix(alias)}crl:lock";

    private static string AuthorityPrefix(string alias) => $"bulkcerts:registry:ca:{{{alias.ToLowerInvariant()}}}:";
}
