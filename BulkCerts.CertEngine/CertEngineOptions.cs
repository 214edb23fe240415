using System.ComponentModel.DataAnnotations;

namespace BulkCerts.CertEngine;

/// <summary>
/// Settings of the certificate engine, bound from the <c>CertEngine</c> configuration section.
/// </summary>
public sealed class CertEngineOptions
{
    public const string SectionName = "CertEngine";

    /// <summary>
    /// Folder that contains the generated development CA, relative to the content root unless absolute.
    /// </summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>Validity of a device certificate, in days, when a request leaves it at 0.</summary>
    [Range(1, 3650)]
    public int DefaultDaysExpiry { get; set; } = 365;

    /// <summary>Upper bound of <c>count</c> in one issuance request.</summary>
    [Range(1, 100_000)]
    public int MaxCertificatesPerRequest { get; set; } = 1000;

    /// <summary>
    /// Number of certificates generated at once across all requests; 0 means one per processor, or
    /// one per core of <see cref="Cores"/>.
    /// </summary>
    [Range(0, 1024)]
    public int MaxDegreeOfParallelism { get; set; }

    /// <summary>
    /// Processor cores, numbered from 0, that this engine runs on; empty means all. The AppHost sets
    /// them for each engine from <c>CertEngine:CoresPerReplica</c>.
    /// </summary>
    public List<int> Cores { get; set; } = [];

    /// <summary>Certificate authorities by alias, in addition to the generated <c>default</c>.</summary>
    public Dictionary<string, CertificateAuthorityOptions> CertificateAuthorities { get; set; } =
        new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Secret that callers present as a bearer token on every call but health checks. The AppHost
    /// generates one per run and gives it to the Api.
    /// </summary>
    public string? ServiceCredential { get; set; }

    /// <summary>Accepts calls without <see cref="ServiceCredential"/>. For isolated development only.</summary>
    public bool AllowAnonymousCallers { get; set; }

    public int EffectiveDegreeOfParallelism =>
        MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism
        : Cores.Count > 0 ? Cores.Distinct().Count()
        : Environment.ProcessorCount;
}

/// <summary>
/// Settings of the pool of pre-generated RSA device keys, bound from the <c>CertEngine:KeyPool</c>
/// configuration section. Each capacity is the number of keys of that size kept ready.
/// </summary>
public sealed class KeyPoolOptions
{
    public const string SectionName = CertEngineOptions.SectionName + ":KeyPool";

    /// <summary>Upper bound of each capacity setting.</summary>
    public const int MaxCapacity = 10_000;

    /// <summary>Switch that turns the pool on; without it no key is generated in advance.</summary>
    public bool Enabled { get; set; }

    public int Rsa2048 { get; set; } = 64;

    public int Rsa3072 { get; set; }

    public int Rsa4096 { get; set; }
}

/// <summary>
/// Files of one certificate authority: either the certificate PEM (optionally followed by its
/// intermediates) and the private key PEM, or one PKCS#12 file with the certificate, key and chain.
/// </summary>
public sealed class CertificateAuthorityOptions
{
    public string? CertificatePath { get; set; }

    /// <summary>PKCS#1, SEC 1, PKCS#8 or encrypted PKCS#8 PEM, or legacy OpenSSL encrypted PEM.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>PKCS#12 file that replaces <see cref="CertificatePath"/> and <see cref="PrivateKeyPath"/>.</summary>
    public string? Pkcs12Path { get; set; }

    /// <summary>
    /// Passphrase of an encrypted private key or PKCS#12 file. Keep it out of appsettings.json: set
    /// it in user secrets or an environment variable.
    /// </summary>
    public string? Passphrase { get; set; }
}
