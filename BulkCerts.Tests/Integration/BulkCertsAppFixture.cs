using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BulkCerts.Api.Security;
using BulkCerts.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

    /// <summary>The AppHost's api-key parameter, which <see cref="Api"/> sends.</summary>
    public const string ApiKey = "fixture-api-key-8f41c2d7a9e34b6c";

    /// <summary>The app's BulkCerts:MaxCsrUploadBytes.</summary>
    public const long MaxCsrUploadBytes = 4 * 1024 * 1024;

    /// <summary>Further API keys by name, with settings of their own; see <see cref="KeySettings"/>.</summary>
    public const string AcmeOnlyKey = "acme-only-key-53a9d1e07c6b";
    public const string SlowKey = "slow-key-2c8e6f1a4b9d";
    public const string SingleTaskKey = "single-task-key-7d3b5e9c1f2a";

    /// <summary>Issuer, audience and HMAC secret of the bearer tokens the Api accepts.</summary>
    public const string TokenIssuer = "https://issuer.bulkcerts.test";
    public const string TokenAudience = "bulkcerts-api";
    public static readonly byte[] TokenSecret = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;
    private OtlpReceiver? _telemetry;

    public string DataPath { get; } = Directory.CreateTempSubdirectory("bulkcerts-tests-").FullName;

    /// <summary>Certificate of the CA generated on first start.</summary>
    public string DefaultCaCertificatePath => Path.Combine(DataPath, "certengine", "ca", "ca.crt");

    public string SupplierCaCertificatePath => Path.Combine(DataPath, "acme-ca.crt");

    /// <summary>A client of the Api with the fixture's API key that does not follow redirects.</summary>
    public HttpClient Api { get; private set; } = null!;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>Every log line of the AppHost and of each resource instance since the app started.</summary>
    internal LogCapture Logs { get; } = new();

    /// <summary>The OTLP receiver that the services export their logs, traces and metrics to.</summary>
    internal OtlpReceiver Telemetry => _telemetry ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>Settings added to the AppHost's arguments, after the fixture's own.</summary>
    protected virtual IEnumerable<string> Settings => [];

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var supplierKeyPath = await CreateSupplierAuthorityAsync();
        _telemetry = await OtlpReceiver.StartAsync();

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
                $"Parameters:api-key={ApiKey}",
                // Tests send bursts (the fuzz test) and run many tasks at once (the soak test).
                "BulkCerts:RateLimit:RequestsPerMinute=600000",
                "BulkCerts:RateLimit:Burst=10000",
                "BulkCerts:RateLimit:MaxRunningTasks=1000",
                // Small enough that a test can send an upload of certification requests over it.
                $"BulkCerts:MaxCsrUploadBytes={MaxCsrUploadBytes}",
                .. KeySettings,
                .. Settings,
            ],
            cancellation.Token);
        CaptureOutput(builder);

        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        await AppResources.WaitForHealthyAsync(_app, "api", cancellation.Token);

        Api = CreateClient(ApiKey);
    }

    /// <summary>
    /// Creates a client of the Api that sends <paramref name="apiKey"/>, or no credentials when it
    /// is null, and does not follow redirects, so tests can see 303.
    /// </summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = App.GetEndpoint("api", "http"),
            Timeout = TimeSpan.FromMinutes(2),
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        return client;
    }

    /// <summary>
    /// Sends every log line to <see cref="Logs"/> and the services' telemetry to <see cref="Telemetry"/>.
    /// With the dashboard off, the testing builder of Aspire 13.6 still points the services at OTLP/gRPC on
    /// localhost:4317, so this callback, which runs after Aspire's own, replaces endpoint and protocol.
    /// </summary>
    private void CaptureOutput(IDistributedApplicationTestingBuilder builder)
    {
        builder.Services.AddLogging(logging => logging
            .AddProvider(Logs)
            .AddFilter<LogCapture>($"{builder.Environment.ApplicationName}.Resources", LogLevel.Trace));

        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.ToString();
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                context.EnvironmentVariables["OTEL_BLRP_SCHEDULE_DELAY"] = "500";
                context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "500";
                context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = "5000";
            });
        }
    }

    private static IEnumerable<string> KeySettings =>
    [
        $"BulkCerts:Auth:ApiKeys:acme-only:Hash={ApiKeyStore.HashKey(AcmeOnlyKey)}",
        $"BulkCerts:Auth:ApiKeys:acme-only:Suppliers:0={SupplierId}",
        $"BulkCerts:Auth:ApiKeys:slow:Hash={ApiKeyStore.HashKey(SlowKey)}",
        "BulkCerts:Auth:ApiKeys:slow:RequestsPerMinute=5",
        $"BulkCerts:Auth:ApiKeys:single:Hash={ApiKeyStore.HashKey(SingleTaskKey)}",
        "BulkCerts:Auth:ApiKeys:single:MaxRunningTasks=1",
        $"BulkCerts:Auth:Jwt:Issuer={TokenIssuer}",
        $"BulkCerts:Auth:Jwt:Audience={TokenAudience}",
        $"BulkCerts:Auth:Jwt:SigningKeys:0={Convert.ToBase64String(TokenSecret)}",
    ];

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

    /// <summary>
    /// Stops the app, then scans everything it logged and exported during the whole test run for
    /// private keys and credentials, and fails the collection's clean-up when it finds one.
    /// </summary>
    public async Task DisposeAsync()
    {
        Api?.Dispose();
        var secrets = _app is null ? [] : await ReadSecretsAsync();
        if (_app is not null)
        {
            // A resource stuck while stopping must not hang the test run; the orchestrator ends
            // what is left when the test process exits.
            await _app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(2));
        }

        var findings = new List<string>();
        if (_telemetry is not null)
        {
            var scanner = new SecretScanner(secrets);
            findings.AddRange(scanner.ScanLogs(Logs.Lines).Concat(scanner.ScanTelemetry(_telemetry.Payloads)));
            await _telemetry.DisposeAsync();
        }

        Directory.Delete(DataPath, recursive: true);
        if (findings.Count > 0)
        {
            // The runner prints only the exception type of a failed clean-up by default.
            var message = $"Secrets found in the output of the test run:{Environment.NewLine}" +
                string.Join(Environment.NewLine, findings);
            await Console.Error.WriteLineAsync(message);
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>The password of the PKCS#12 tasks of the tests, which the output scan looks for.</summary>
    public const string Pkcs12Password = "fixture-p12-password-4b7e9c2a61";

    public const string EngineCredentialSecret = "CertEngine service credential";
    public const string ResultKeySecret = "result encryption key";

    /// <summary>
    /// Returns the bearer credential that every CertEngine requires, the AppHost's secret parameter
    /// <c>certengine-credential</c>.
    /// </summary>
    public async Task<string> GetEngineCredentialAsync()
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>()
            .Single(resource => resource.Name == "certengine-credential");
        return await parameter.GetValueAsync(CancellationToken.None) ?? string.Empty;
    }

    /// <summary>Returns the credentials and keys of this app that must never appear in its output.</summary>
    internal async Task<List<Secret>> ReadSecretsAsync()
    {
        List<Secret> secrets =
        [
            new("PEM private key marker", "PRIVATE KEY-----"),
            new("fixture API key", ApiKey),
            new("acme-only API key", AcmeOnlyKey),
            new("slow API key", SlowKey),
            new("single-task API key", SingleTaskKey),
            new("JWT signing key", Convert.ToBase64String(TokenSecret)),
            new("PKCS#12 password", Pkcs12Password),
        ];
        if (await GetEngineCredentialAsync() is { Length: > 0 } credential)
        {
            secrets.Add(new(EngineCredentialSecret, credential));
        }

        var resultKeyPath = Path.Combine(DataPath, "api", "result-encryption.key");
        var resultKey = File.Exists(resultKeyPath) ? (await File.ReadAllTextAsync(resultKeyPath)).Trim() : string.Empty;
        if (resultKey.Length > 0)
        {
            secrets.Add(new(ResultKeySecret, resultKey));
        }

        return secrets;
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
