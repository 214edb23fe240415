using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BulkCerts.Tests.Support;
using StackExchange.Redis;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Starts the whole app once for a test collection: redis-server, the CertEngine and the Api,
/// with a supplier CA that the fixture creates with openssl. Data lives in a temporary folder.
/// </summary>
public class BulkCertsAppFixture : IAsyncLifetime
{
    public const string SupplierId = "Acme-Devices";
    public const string SupplierAlias = "acme";

    /// <summary>A supplier mapped to a CA alias that the CertEngine does not have.</summary>
    public const string OrphanSupplierId = "orphan-supplier";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("bulkcerts-tests-").FullName;

    /// <summary>Certificate of the CA generated on first start.</summary>
    public string DefaultCaCertificatePath => Path.Combine(DataPath, "certengine", "ca", "ca.crt");

    public string SupplierCaCertificatePath => Path.Combine(DataPath, "acme-ca.crt");

    /// <summary>A client of the Api that does not follow redirects, so tests can see 303.</summary>
    public HttpClient Api { get; private set; } = null!;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>Settings added to the AppHost's arguments, after the fixture's own.</summary>
    protected virtual IEnumerable<string> Settings => [];

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var supplierKeyPath = await CreateSupplierAuthorityAsync();

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
            [
                "Redis:Mode=executable",
                $"DataPath={DataPath}",
                $"CertEngine:CertificateAuthorities:{SupplierAlias}:CertificatePath={SupplierCaCertificatePath}",
                $"CertEngine:CertificateAuthorities:{SupplierAlias}:PrivateKeyPath={supplierKeyPath}",
                $"BulkCerts:Suppliers:{SupplierId}={SupplierAlias}",
                $"BulkCerts:Suppliers:{OrphanSupplierId}=missing-ca",
                "BulkCerts:RetryDelay=00:00:01",
                "BulkCerts:ShutdownDrainTimeout=00:00:02",
                .. Settings,
            ],
            cancellation.Token);

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        await AppResources.WaitForHealthyAsync(_app, "api", cancellation.Token);

        Api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = _app.GetEndpoint("api", "http"),
            Timeout = TimeSpan.FromMinutes(2),
        };
    }

    /// <summary>Connects to the app's Redis, for tests that check what is stored.</summary>
    public async Task<ConnectionMultiplexer> ConnectRedisAsync()
    {
        var connectionString = await App.GetConnectionStringAsync("redis");
        return await ConnectionMultiplexer.ConnectAsync(connectionString!);
    }

    /// <summary>Returns the names of every Redis key of a task.</summary>
    public async Task<List<string>> FindTaskKeysAsync(string taskId)
    {
        await using var redis = await ConnectRedisAsync();
        return [.. redis.GetServers()[0].Keys(pattern: $"*{taskId}*").Select(key => key.ToString())];
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_app is not null)
        {
            // A resource stuck while stopping must not hang the test run; the orchestrator ends
            // what is left when the test process exits.
            await _app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(2));
        }

        Directory.Delete(DataPath, recursive: true);
    }

    /// <summary>
    /// Creates a supplier CA with openssl and converts its key to PKCS#1, so the engine's PKCS#1
    /// loading is exercised (the generated default CA covers PKCS#8).
    /// </summary>
    private async Task<string> CreateSupplierAuthorityAsync()
    {
        var created = await Openssl.RunAsync(
            DataPath,
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "400",
            "-keyout", "acme-ca.pkcs8.key", "-out", SupplierCaCertificatePath,
            "-subj", "/O=Acme Devices/CN=Acme Devices Supplier CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Assert.True(created.ExitCode == 0, created.Error);

        var converted = await Openssl.RunAsync(
            DataPath, "rsa", "-in", "acme-ca.pkcs8.key", "-traditional", "-out", "acme-ca.key");
        Assert.True(converted.ExitCode == 0, converted.Error);

        return Path.Combine(DataPath, "acme-ca.key");
    }
}

[CollectionDefinition(Name)]
public sealed class BulkCertsAppCollection : ICollectionFixture<BulkCertsAppFixture>
{
    public const string Name = "BulkCerts app";
}
