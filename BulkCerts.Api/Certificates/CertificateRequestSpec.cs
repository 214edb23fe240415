namespace BulkCerts.Api.Certificates;

/// <summary>
/// A validated create-task request, with configured defaults applied. It is stored with the
/// task, so every chunk is issued with the same settings. A commonNameList is stored apart from
/// it, so that reading the spec for a chunk does not read the whole list.
/// </summary>
public sealed record CertificateRequestSpec
{
    public required int Quantity { get; init; }

    public bool Register { get; init; }

    public required NameTemplate CommonName { get; init; }

    /// <summary>Write common names as base64 of their UTF-8 bytes.</summary>
    public bool Base64CommonName { get; init; }

    public IReadOnlyList<SubjectAltNameSpec> SubjectAltNames { get; init; } = [];

    public string? Organization { get; init; }

    public string? OrganizationalUnit { get; init; }

    public string? Locality { get; init; }

    public string? StateName { get; init; }

    public string? Country { get; init; }

    public string? EmailAddress { get; init; }

    public string? DistinguishedNameQualifier { get; init; }

    public bool IncludeCertificateAuthority { get; init; }

    public required int DaysExpiry { get; init; }

    /// <summary>The request set no <c>daysExpiry</c>, so <see cref="DaysExpiry"/> is the configured default.</summary>
    public bool DaysExpiryIsDefault { get; init; }

    /// <summary>One of <see cref="KeyAlgorithms.Names"/>.</summary>
    public string KeyAlgorithm { get; init; } = KeyAlgorithms.Default;

    /// <summary>Write every private key as PKCS#8, RSA keys included.</summary>
    public bool Pkcs8PrivateKeys { get; init; }

    /// <summary>
    /// The task signs the devices' certification requests, stored apart from the spec, one per
    /// certificate, instead of generating keys. The subject fields are then overrides.
    /// </summary>
    public bool SignsRequests { get; init; }

    /// <summary>The file format of each certificate and key in the zip.</summary>
    public FileFormat OutputFormat { get; init; } = FileFormat.Pem;

    /// <summary>
    /// PEM of the certificate the download is encrypted to as CMS EnvelopedData, or null for a plain
    /// zip. It is public, so it is stored with the task; the PKCS#12 password never is.
    /// </summary>
    public string? RecipientCertificate { get; init; }
}

/// <summary>The files of each certificate in the zip.</summary>
public enum FileFormat
{
    /// <summary><c>{certId}_cert.pem</c> and <c>{certId}_key.pem</c>.</summary>
    Pem,

    /// <summary><c>{certId}_cert.pem</c> and a password-protected <c>{certId}.p12</c>.</summary>
    Pkcs12,

    /// <summary><c>{certId}_cert.der</c> and <c>{certId}_key.der</c>.</summary>
    Der,
}

/// <summary>One subject alternative name of every certificate: its type and its template.</summary>
public sealed record SubjectAltNameSpec(SubjectAltNameKind Kind, NameTemplate Value);

public enum SubjectAltNameKind
{
    Dns,
    Uri,
    IpAddress,
}
