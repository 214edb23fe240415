using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// Cost of writing one issued certificate and its private key as PEM. Keys use the engine's
/// default format: PKCS#1 for RSA, PKCS#8 for EC.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
public class PemExportBenchmarks
{
    private CertificateAuthority _authority = null!;
    private DeviceKey _deviceKey = null!;
    private X509Certificate2 _certificate = null!;

    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.EcP256)]
    public KeyAlgorithm DeviceAlgorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The certificate comes from the engine's factory. The factory disposes its device key, so
        // the key exported here is a new one of the same algorithm.
        _authority = MicroFixtures.CreateAuthority(KeyAlgorithm.Rsa2048);
        var request = MicroFixtures.CreateRequest(_authority, DeviceAlgorithm, count: 1);
        var issued = DeviceCertificateFactory.Issue(request, 0);
        _certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        _deviceKey = DeviceKeyGenerator.Generate(DeviceAlgorithm);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _certificate.Dispose();
        _deviceKey.Dispose();
        _authority.Dispose();
    }

    [Benchmark]
    public string CertificatePem() => _certificate.ExportCertificatePem();

    [Benchmark]
    public string PrivateKeyPem() => _deviceKey.ExportPrivateKeyPem(PrivateKeyFormat.Unspecified);
}
