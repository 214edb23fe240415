using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>Validates a request and issues its certificates the way the gRPC service does.</summary>
internal static class TestIssuance
{
    public static IssueCertificatesRequest Request(
        int count = 1,
        KeyAlgorithm keyAlgorithm = KeyAlgorithm.EcP256,
        string commonName = "device-") => new()
    {
        Count = count,
        // Shorter than the 30 days of the test CAs, which the engine's default of 365 would outlive.
        DaysExpiry = 7,
        KeyAlgorithm = keyAlgorithm,
        Subject = new Subject
        {
            CommonName = new NameRule { Prefix = commonName, IncrementStart = "0001" },
            Organization = "BulkCerts Tests",
            Country = "US",
        },
    };

    public static IssuanceRequest Validate(IssueCertificatesRequest request, CertificateAuthority authority) =>
        IssuanceRequestValidator.Validate(request, authority, new CertEngineOptions(), DateTimeOffset.UtcNow);

    public static List<IssuedCertificate> Issue(IssueCertificatesRequest request, CertificateAuthority authority)
    {
        var issuance = Validate(request, authority);
        return Enumerable.Range(0, issuance.Count)
            .Select(offset => DeviceCertificateFactory.Issue(issuance, offset))
            .ToList();
    }
}
