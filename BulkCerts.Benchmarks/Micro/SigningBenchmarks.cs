using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// Cost of one device certificate: <see cref="Issue"/> runs the engine's whole path, and
/// <see cref="BuildAndSign"/> only builds and signs the certificate for a key generated in
/// advance. The difference is key generation plus PEM export and the SHA-256 fingerprint.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private static readonly OidCollection ClientAuthentication = [new Oid(Oids.ClientAuthentication)];

    private CertificateAuthority _authority = null!;
    private IssuanceRequest _request = null!;
    private DeviceKey _deviceKey = null!;

    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.EcP256)]
    public KeyAlgorithm CaAlgorithm { get; set; }

    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.EcP256)]
    public KeyAlgorithm DeviceAlgorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _authority = MicroFixtures.CreateAuthority(CaAlgorithm);
        _request = MicroFixtures.CreateRequest(_authority, DeviceAlgorithm, count: 1);
        _deviceKey = DeviceKeyGenerator.Generate(DeviceAlgorithm);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _deviceKey.Dispose();
        _authority.Dispose();
    }

    [Benchmark]
    public IssuedCertificate Issue() => DeviceCertificateFactory.Issue(_request, 0);

    /// <summary>
    /// Builds the same subject and extensions as <see cref="DeviceCertificateFactory"/> and signs
    /// the certificate. The factory keeps these steps private, so they are repeated here.
    /// </summary>
    [Benchmark]
    public void BuildAndSign()
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("device-0000");
        subject.AddOrganizationName("BulkCerts");

        var request = new CertificateRequest(subject.Build(), _deviceKey.PublicKey, _authority.HashAlgorithm);
        var extensions = request.CertificateExtensions;
        extensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        extensions.Add(new X509KeyUsageExtension(_deviceKey.KeyUsage, critical: true));
        extensions.Add(new X509EnhancedKeyUsageExtension(ClientAuthentication, critical: false));
        extensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        extensions.Add(_authority.AuthorityKeyIdentifier);

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);

        using var certificate = request.Create(
            _authority.Certificate.SubjectName,
            _authority.SignatureGenerator,
            _request.NotBefore,
            _request.NotAfter,
            serial);
    }
}
