using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Grpc;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Tests;

public sealed class EngineServiceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task ConfiguredAuthoritiesListedAndReturned()
    {
        var pkcs12 = await AuthorityFiles.CreatePkcs12Async(_folder, "ed25519", "Ed25519");
        var pem = await AuthorityFiles.CreateAsync(_folder, "legacy encrypted PEM");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CertEngine:DataPath"] = _folder.Path,
                ["CertEngine:CertificateAuthorities:default:Pkcs12Path"] = pkcs12.Pkcs12Path,
                ["CertEngine:CertificateAuthorities:default:Passphrase"] = AuthorityFiles.Passphrase,
                ["CertEngine:CertificateAuthorities:legacy:CertificatePath"] = pem.CertificatePath,
                ["CertEngine:CertificateAuthorities:legacy:PrivateKeyPath"] = pem.PrivateKeyPath,
                ["CertEngine:CertificateAuthorities:legacy:Passphrase"] = AuthorityFiles.Passphrase,
            })
            .Build();
        var options = Options.Create(configuration.GetSection("CertEngine").Get<CertEngineOptions>()!);
        var environment = new HostingEnvironment { ContentRootPath = _folder.Path };

        using var store = new CertificateAuthorityStore(
            options, environment, NullLogger<CertificateAuthorityStore>.Instance);
        using var limiter = new IssuanceLimiter(options);
        using var keyPool = PoolKeys.CreatePool(enabled: false);
        using var lifetime = new TestLifetime();
        var service = new CertificateEngineService(
            store, limiter, keyPool, lifetime, options, NullLogger<CertificateEngineService>.Instance);
        var list = await service.ListCertificateAuthorities(new ListCertificateAuthoritiesRequest(), null!);
        var legacy = await service.GetCertificateAuthority(
            new GetCertificateAuthorityRequest { Alias = "LEGACY" },
            null!);

        Assert.Equal(["default", "legacy"], list.Authorities.Select(authority => authority.Alias));
        Assert.Equal(["Ed25519", "RSA-2048"], list.Authorities.Select(authority => authority.KeyAlgorithm));
        Assert.Equal("CN=Test Intermediate CA", list.Authorities[0].Subject);
        Assert.Equal("legacy", legacy.Authority.Alias);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", legacy.CertificateChainPem);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "ca", "ca.crt")), "No development CA is needed.");
    }

    [Fact]
    public async Task IssuanceStreamsEveryCertificateOnce()
    {
        using var engine = new DevelopmentEngine(_folder.Path, maxDegreeOfParallelism: 2);
        var service = engine.Service;
        var request = TestIssuance.Request(count: 40, keyAlgorithm: KeyAlgorithm.Ed25519);
        request.FirstIndex = 100;
        var stream = new CollectingStreamWriter<IssueCertificatesResponse>();

        await service.IssueCertificates(request, stream, new TestServerCallContext(CancellationToken.None));
        var issued = stream.Messages.SelectMany(message => message.Certificates).ToList();

        Assert.Equal(Enumerable.Range(100, 40).Select(index => (long)index), issued.Select(c => c.Index).Order());
        Assert.Equal(40, issued.Select(c => c.SerialNumber).Distinct().Count());
        Assert.All(issued, c => Assert.Equal($"device-{c.Index + 1:X4}", c.CommonName));
    }

    [Fact]
    public async Task IssuanceTakesKeysFromPool()
    {
        using var engine = new DevelopmentEngine(_folder.Path, maxDegreeOfParallelism: 2);
        var pooledKeys = PoolKeys.Add(engine.KeyPool, 2);
        var request = TestIssuance.Request(count: 2, keyAlgorithm: KeyAlgorithm.Rsa2048);
        var stream = new CollectingStreamWriter<IssueCertificatesResponse>();

        await engine.Service.IssueCertificates(request, stream, new TestServerCallContext(CancellationToken.None));
        var issued = stream.Messages.SelectMany(message => message.Certificates).ToList();

        Assert.Equal(pooledKeys, issued.Select(PoolKeys.PublicKeyOf).ToHashSet());
        Assert.Equal(0, engine.KeyPool.Count(KeyAlgorithm.Rsa2048));
    }

    [Fact]
    public async Task StoppingEngineEndsCallsUnavailable()
    {
        using var engine = new DevelopmentEngine(_folder.Path, maxDegreeOfParallelism: 1);
        var request = TestIssuance.Request(count: 200, keyAlgorithm: KeyAlgorithm.Rsa4096);

        var call = engine.Service.IssueCertificates(
            request,
            new CollectingStreamWriter<IssueCertificatesResponse>(),
            new TestServerCallContext(CancellationToken.None));
        engine.Lifetime.StopApplication();
        var exception = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(StatusCode.Unavailable, exception.StatusCode);
        Assert.Contains("stopping", exception.Status.Detail);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>An engine service with the development CA in a folder, and a lifetime the test can stop.</summary>
    private sealed class DevelopmentEngine : IDisposable
    {
        private readonly CertificateAuthorityStore _store;
        private readonly IssuanceLimiter _limiter;

        public DevelopmentEngine(string dataPath, int maxDegreeOfParallelism)
        {
            var options = Options.Create(
                new CertEngineOptions { DataPath = dataPath, MaxDegreeOfParallelism = maxDegreeOfParallelism });
            var environment = new HostingEnvironment { ContentRootPath = dataPath };
            _store = new CertificateAuthorityStore(
                options, environment, NullLogger<CertificateAuthorityStore>.Instance);
            _limiter = new IssuanceLimiter(options);
            Service = new CertificateEngineService(
                _store, _limiter, KeyPool, Lifetime, options, NullLogger<CertificateEngineService>.Instance);
        }

        public TestLifetime Lifetime { get; } = new();

        /// <summary>An enabled pool with room for 2 RSA-2048 keys, which the test fills itself.</summary>
        public RsaKeyPool KeyPool { get; } = PoolKeys.CreatePool(rsa2048: 2);

        public CertificateEngineService Service { get; }

        public void Dispose()
        {
            _limiter.Dispose();
            KeyPool.Dispose();
            _store.Dispose();
            Lifetime.Dispose();
        }
    }

    private sealed class TestLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
