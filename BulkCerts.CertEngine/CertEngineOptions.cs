using System.ComponentModel.DataAnnotations;

namespace BulkCerts.CertEngine;

/// <summary>
/// Settings of the certificate engine, bound from the <c>CertEngine</c> configuration section.
/// </summary>
public sealed class CertEngineOptions
{
    public const string SectionName = "CertEngine";

    /// <summary>
    /// Folder that holds the generated development CA, relative to the content root unless absolute.
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
    /// Number of certificates generated at once across all requests; 0 means one per processor.
    /// </summary>
    [Range(0, 1024)]
    public int MaxDegreeOfParallelism { get; set; }

    /// <summary>Certificate authorities by alias, in addition to the generated <c>default</c>.</summary>
    public Dictionary<string, CertificateAuthorityOptions> CertificateAuthorities { get; set; } =
        new(StringComparer.OrdinalIgnoreCase);

    public int EffectiveDegreeOfParallelism =>
        MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
}

/// <summary>
/// Files of one certificate authority: the certificate PEM (optionally followed by its
/// intermediates) and the private key PEM (PKCS#1, PKCS#8 or SEC 1).
/// </summary>
public sealed class CertificateAuthorityOptions
{
    public string? CertificatePath { get; set; }

    public string? PrivateKeyPath { get; set; }
}
