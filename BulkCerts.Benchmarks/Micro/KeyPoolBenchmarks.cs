using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BulkCerts.CertEngine;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// Measures a small RSA-2048 request: 10 certificates issued on all processors, as the CertEngine
/// issues them, once with a full key pool and once with an empty one. Each iteration is one
/// request, because the pool can serve a request only once before it is refilled.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 20)]
public class KeyPoolBenchmarks
{
    private const int CertificateCount = 10;

    private string _dataPath = "";
    private CertificateAuthorityStore? _authorities;
    private IssuanceRequest? _issuance;
    private RsaKeyPool? _pool;

    [Params(false, true)]
    public bool FullPool { get; set; }

    [GlobalSetup]
    public void CreateAuthorityAndRequest()
    {
        _dataPath = Directory.CreateTempSubdirectory("keypool-benchmark-").FullName;
        var options = Options.Create(new CertEngineOptions { DataPath = _dataPath });
        _authorities = new CertificateAuthorityStore(
            options,
            new HostingEnvironment { ContentRootPath = _dataPath },
            NullLogger<CertificateAuthorityStore>.Instance);
        _authorities.TryGet(CertificateAuthorityStore.DefaultAlias, out var authority);

        var request = new IssueCertificatesRequest
        {
            Count = CertificateCount,
            KeyAlgorithm = KeyAlgorithm.Rsa2048,
            Subject = new Subject { CommonName = new NameRule { Prefix = "device-", IncrementStart = "0001" } },
        };
        _issuance = IssuanceRequestValidator.Validate(request, authority!, options.Value, DateTimeOffset.UtcNow);
        _pool = new RsaKeyPool(Options.Create(new KeyPoolOptions { Enabled = true, Rsa2048 = CertificateCount }));
    }

    [IterationSetup]
    public void FillPool()
    {
        if (!FullPool)
        {
            return;
        }

        while (_pool!.Count(KeyAlgorithm.Rsa2048) < CertificateCount)
        {
            _pool.TryAdd(KeyAlgorithm.Rsa2048, DeviceKeyGenerator.Generate(KeyAlgorithm.Rsa2048));
        }
    }

    [Benchmark]
    public void Issue10Rsa2048Certificates()
    {
        var parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(
            0,
            CertificateCount,
            parallelOptions,
            offset => DeviceCertificateFactory.Issue(_issuance!, offset, _pool));
    }

    [GlobalCleanup]
    public void DeleteAuthority()
    {
        _pool?.Dispose();
        _authorities?.Dispose();
        Directory.Delete(_dataPath, recursive: true);
    }
}
