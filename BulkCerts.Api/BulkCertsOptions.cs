using System.ComponentModel.DataAnnotations;

namespace BulkCerts.Api;

/// <summary>
/// Settings of the REST API and its chunk dispatcher, bound from the <c>BulkCerts</c> section.
/// </summary>
public sealed class BulkCertsOptions
{
    public const string SectionName = "BulkCerts";

    public const string DefaultCertEngine = "certengine";

    /// <summary>Largest <c>quantity</c> one task may request.</summary>
    [Range(1, 10_000_000)]
    public int MaxQuantity { get; set; } = 100_000;

    /// <summary>
    /// Largest request body, in bytes. The default of 16 MiB fits a <c>commonNameList</c> of 100,000
    /// names of up to 160 ASCII characters each.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Largest <c>application/x-ndjson</c> body of certification requests, in bytes. It is read line
    /// by line, so it may be larger than <see cref="MaxRequestBodyBytes"/>. The default of 256 MiB fits
    /// 100,000 RSA-4096 requests with overrides.
    /// </summary>
    public long MaxCsrUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Certificates per chunk, the unit of work and of retry.</summary>
    [Range(1, 1000)]
    public int ChunkSize { get; set; } = 100;

    /// <summary>How long task records and their certificates are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Validity of device certificates, in days, when a request sets no <c>daysExpiry</c>.</summary>
    [Range(1, 825)]
    public int DefaultDaysExpiry { get; set; } = 365;

    /// <summary>CA alias that <c>POST /certificates</c> signs with.</summary>
    [Required]
    public string DefaultCertificateAuthority { get; set; } = "default";

    /// <summary>Supplier id (case-insensitive) to the alias of the CA that signs its certificates.</summary>
    public Dictionary<string, string> Suppliers { get; set; } = [];

    /// <summary>
    /// How common names are written into certificates: <c>plain</c> text, or <c>base64</c> of
    /// their UTF-8 bytes, as the original service did, for device firmware that expects it.
    /// </summary>
    [RegularExpression("(?i)^(plain|base64)$", ErrorMessage = "BulkCerts:CommonNameEncoding must be plain or base64.")]
    public string CommonNameEncoding { get; set; } = "plain";

    public bool Base64CommonNames => CommonNameEncoding.Equals("base64", StringComparison.OrdinalIgnoreCase);

    /// <summary>Subject values used when a request leaves them out.</summary>
    public SubjectDefaults Defaults { get; set; } = new();

    /// <summary>Folder for the generated result encryption key, relative to the content root.</summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>
    /// Base64 of the 32-byte AES key that encrypts stored certificates and private keys. When
    /// empty, a key is generated once and kept in <see cref="DataPath"/>.
    /// </summary>
    public string? ResultEncryptionKey { get; set; }

    /// <summary>
    /// Keys that encrypted results before the current one, base64 like it. Results are read with
    /// them but never written; remove a key once the retention has passed since it was replaced.
    /// </summary>
    public List<string> PreviousResultEncryptionKeys { get; set; } = [];

    /// <summary>
    /// Service names of the CertEngine instances, each reached at <c>http://_grpc.{name}</c> through
    /// service discovery. Chunks go to the instance with the fewest calls in flight. Empty means
    /// <c>certengine</c> alone.
    /// </summary>
    public List<string> CertEngines { get; set; } = [];

    /// <summary><see cref="CertEngines"/>, or the default instance when none is set.</summary>
    public IReadOnlyList<string> CertEngineNames => CertEngines.Count > 0 ? CertEngines : [DefaultCertEngine];

    /// <summary>Secret the Api presents to the CertEngine on every call, as a bearer token.</summary>
    public string? CertEngineCredential { get; set; }

    /// <summary>Chunks one Api replica issues at once.</summary>
    [Range(1, 64)]
    public int MaxChunksInFlight { get; set; } = 4;

    /// <summary>Attempts at one chunk before its task fails.</summary>
    [Range(1, 100)]
    public int MaxChunkAttempts { get; set; } = 5;

    /// <summary>
    /// Delay before the second attempt at a chunk; it doubles for each further attempt, up to 30
    /// seconds, with some jitter.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a stopping Api lets chunks in flight finish. Chunks still unfinished then are put
    /// back in the queue for another dispatcher.
    /// </summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Idle time after which a chunk taken by a dispatcher that stopped responding is taken over
    /// by another. A working dispatcher renews its claim every third of this interval, at most every
    /// 5 seconds.
    /// </summary>
    public TimeSpan ChunkClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle dispatcher looks for chunks when no notice arrives.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class SubjectDefaults
{
    public string? CommonName { get; set; }

    public string? Organization { get; set; }

    public string? OrganizationalUnit { get; set; }

    public string? Locality { get; set; }

    public string? StateName { get; set; }

    public string? Country { get; set; }

    public string? EmailAddress { get; set; }

    public string? DistinguishedNameQualifier { get; set; }
}
