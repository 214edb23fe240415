using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.V1;
using Google.Protobuf.Collections;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// A validated issuance request: everything needed to build each certificate of one call. All
/// certificates of the call share one validity period, which ends no later than the CA's.
/// </summary>
public sealed record IssuanceRequest(
    CertificateAuthority Authority,
    int Count,
    long FirstIndex,
    Subject Subject,
    RepeatedField<SubjectAltNameRule> SubjectAltNames,
    KeyAlgorithm KeyAlgorithm,
    PrivateKeyFormat PrivateKeyFormat,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool IncludeCertificateAuthority)
{
    /// <summary>Certification requests to sign in place of generated keys, or none to generate keys.</summary>
    public RepeatedField<SigningRequest> SigningRequests { get; init; } = [];

    /// <summary>PKCS12 puts each key and certificate in a .p12 protected by <see cref="Pkcs12Password"/>.</summary>
    public OutputFormat OutputFormat { get; init; }

    public string Pkcs12Password { get; init; } = string.Empty;

    /// <summary>Prints the request without the password, which the generated form would include.</summary>
    public override string ToString() =>
        $"IssuanceRequest {{ Authority = {Authority.Alias}, Count = {Count}, FirstIndex = {FirstIndex}, " +
        $"KeyAlgorithm = {KeyAlgorithm}, OutputFormat = {OutputFormat} }}";
}
