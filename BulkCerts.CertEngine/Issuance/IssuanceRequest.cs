using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// A validated issuance request: everything needed to build each certificate of one call.
/// </summary>
public sealed record IssuanceRequest(
    CertificateAuthority Authority,
    int Count,
    long FirstIndex,
    Subject Subject,
    KeyAlgorithm KeyAlgorithm,
    int DaysExpiry,
    bool IncludeCertificateAuthority);
