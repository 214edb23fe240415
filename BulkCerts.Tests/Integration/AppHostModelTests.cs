using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BulkCerts.Api.Security;
using BulkCerts.AppHost.Redis;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Checks the resources that the AppHost declares, without starting them, and the manifest it
/// publishes for deployment tools.
/// </summary>
public sealed class AppHostModelTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EngineInstancesGetOwnPorts()
    {
        var dataPath = Directory.CreateTempSubdirectory("bulkcerts-model-").FullName;
        try
        {
            // The testing builder would give every endpoint a random port; dotnet run keeps the fixed ones.
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
                ["Redis:Mode=executable", $"DataPath={dataPath}", "CertEngine:Replicas=3"]);

            var engines = builder.Resources.OfType<ProjectResource>()
                .Where(resource => resource.Name.StartsWith("certengine", StringComparison.Ordinal))
                .ToList();
            var ports = engines
                .SelectMany(engine => engine.Annotations.OfType<EndpointAnnotation>())
                .Select(endpoint => endpoint.Port)
                .ToList();

            Assert.Equal(["certengine", "certengine-2", "certengine-3"], engines.Select(engine => engine.Name));
            Assert.Equal([5090, 5091, 5092, 5093, 5094, 5095], ports.Order());
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Theory]
    [InlineData("BulkCerts:SignedUrls:SigningKey")]
    [InlineData("BulkCerts:Auth:Jwt:SigningKeys:0")]
    [InlineData("BulkCerts:ResultEncryptionKey")]
    public async Task KeySettingBecomesSecretParameter(string setting)
    {
        var dataPath = Directory.CreateTempSubdirectory("bulkcerts-model-").FullName;
        try
        {
            var value = Convert.ToBase64String(new byte[32]);
            await using var builder =
                await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
                    ["Redis:Mode=executable", $"DataPath={dataPath}", $"{setting}={value}"]);

            var parameterName = setting.ToLowerInvariant().Replace(':', '-');
            var parameter = builder.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == parameterName);

            Assert.NotNull(parameter);
            Assert.True(parameter.Secret);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public async Task ConnectionStringReplacesRedisServer()
    {
        const string ConnectionString = "127.0.0.1:6390,password=model-test-password";
        var dataPath = Path.Combine(Path.GetTempPath(), $"bulkcerts-model-{Guid.NewGuid():N}");

        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
            [$"ConnectionStrings:redis={ConnectionString}", $"DataPath={dataPath}"]);

        var redis = Assert.Single(builder.Resources.OfType<IResourceWithConnectionString>());
        var api = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api");
        Assert.Equal("redis", redis.Name);
        Assert.Empty(builder.Resources.OfType<RedisServerResource>());
        Assert.Empty(builder.Resources.OfType<ContainerResource>());
        Assert.Equal(ConnectionString, await redis.GetConnectionStringAsync());
        Assert.Contains(
            api.Annotations.OfType<ResourceRelationshipAnnotation>(),
            relationship => relationship.Resource == redis && relationship.Type == "Reference");
        Assert.False(Directory.Exists(dataPath), "The AppHost created a Redis data folder it does not use.");
    }

    [Fact]
    public async Task EngineCredentialCanBeFixed()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
            ["ConnectionStrings:redis=127.0.0.1:6390", "Parameters:certengine-credential=fixed-engine-credential"]);

        var credential = builder.Resources.OfType<ParameterResource>()
            .Single(resource => resource.Name == "certengine-credential");
        Assert.Equal("fixed-engine-credential", await credential.GetValueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ManifestNamesNoLocalResources()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), $"bulkcerts-model-{Guid.NewGuid():N}");

        var (manifest, text) = await PublishManifestAsync(
            $"DataPath={dataPath}",
            "CertEngine:Replicas=2",
            "Api:Replicas=2",
            "CertEngine:CoresPerReplica=2",
            "CertEngine:CertificateAuthorities:default:CertificatePath=ca/ca.crt");

        Assert.Equal("container.v0", TypeOf(manifest, "redis"));
        var types = manifest.EnumerateObject().Select(resource => TypeOf(manifest, resource.Name));
        Assert.DoesNotContain("executable.v0", types);
        Assert.DoesNotContain(dataPath, text);
        foreach (var engine in new[] { "certengine", "certengine-2" })
        {
            var environment = EnvironmentOf(manifest, engine);
            Assert.Equal(["grpc 5090", "http 5091"], BindingsOf(manifest, engine));
            Assert.Equal("{certengine-credential.value}", environment["CertEngine__ServiceCredential"]);
            Assert.Equal("2", environment["DOTNET_PROCESSOR_COUNT"]);
            Assert.DoesNotContain("CertEngine__Cores__0", environment.Keys);
            Assert.DoesNotContain("CertEngine__Replicas", environment.Keys);

            // A path names a file on the target, so it is not resolved against the AppHost folder.
            Assert.Equal("ca/ca.crt", environment["CertEngine__CertificateAuthorities__default__CertificatePath"]);
        }
    }

    [Fact]
    public async Task ManifestAsksForApiSecrets()
    {
        var (manifest, _) = await PublishManifestAsync();

        var environment = EnvironmentOf(manifest, "api");
        Assert.Equal(["grpc 5082", "http 5080"], BindingsOf(manifest, "api"));
        Assert.Equal("{api-key-hash.value}", environment["BulkCerts__Auth__ApiKeys__development__Hash"]);
        Assert.Equal("{bulkcerts-resultencryptionkey.value}", environment["BulkCerts__ResultEncryptionKey"]);
        Assert.Equal("{certengine-credential.value}", environment["BulkCerts__CertEngineCredential"]);
        Assert.False(manifest.TryGetProperty("api-key", out _), "The api-key parameter serves only a run.");
        foreach (var parameter in new[] { "api-key-hash", "bulkcerts-resultencryptionkey", "certengine-credential" })
        {
            var input = manifest.GetProperty(parameter).GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean(), $"{parameter} is not secret.");
        }
    }

    [Fact]
    public async Task ManifestKeepsConfiguredApiKeys()
    {
        var hash = ApiKeyStore.HashKey("ops-key");

        var (manifest, _) = await PublishManifestAsync($"BulkCerts:Auth:ApiKeys:ops:Hash={hash}");

        var environment = EnvironmentOf(manifest, "api");
        Assert.False(manifest.TryGetProperty("api-key-hash", out _), "The settings already name a credential.");
        Assert.DoesNotContain("BulkCerts__Auth__ApiKeys__development__Hash", environment.Keys);
        Assert.Equal(hash, environment["BulkCerts__Auth__ApiKeys__ops__Hash"]);
    }

    [Fact]
    public async Task ManifestTakesExternalRedis()
    {
        var (manifest, _) = await PublishManifestAsync("Redis:Mode=external");

        var redis = manifest.GetProperty("redis");
        Assert.Equal("parameter.v0", redis.GetProperty("type").GetString());
        Assert.Equal("{redis.value}", redis.GetProperty("connectionString").GetString());
        Assert.True(redis.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("{redis.connectionString}", EnvironmentOf(manifest, "api")["ConnectionStrings__redis"]);
    }

    [Fact]
    public async Task ExecutableRedisIsNotPublished()
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-manifest-").FullName;
        try
        {
            using var publish = StartManifestPublish(folder, ["Redis:Mode=executable"]);

            Assert.Equal(1, await publish.WaitForExitAsync(PublishTimeout));
            Assert.Contains("Redis:Mode executable cannot be published", publish.Output);
            Assert.False(File.Exists(Path.Combine(folder, "aspire-manifest.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Publishes the manifest as <c>dotnet run --project BulkCerts.AppHost -- --publisher manifest</c>
    /// does and returns its resources and its text.
    /// </summary>
    private static async Task<(JsonElement Resources, string Text)> PublishManifestAsync(params string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-manifest-").FullName;
        try
        {
            using var publish = StartManifestPublish(folder, settings);
            var exitCode = await publish.WaitForExitAsync(PublishTimeout);
            Assert.True(exitCode == 0, $"The AppHost exited with code {exitCode}:\n{publish.Output}");

            var text = await File.ReadAllTextAsync(Path.Combine(folder, "aspire-manifest.json"));
            using var document = JsonDocument.Parse(text);
            return (document.RootElement.GetProperty("resources").Clone(), text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Starts the AppHost of the test's build output in publish mode. The Production environment keeps
    /// the developer's user secrets out.
    /// </summary>
    private static ChildProcess StartManifestPublish(string folder, IEnumerable<string> settings) =>
        ChildProcess.Start(
            "dotnet",
            [
                Path.Combine(AppContext.BaseDirectory, "BulkCerts.AppHost.dll"),
                "--publisher", "manifest",
                "--output-path", Path.Combine(folder, "aspire-manifest.json"),
                .. settings,
            ],
            folder,
            new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" });

    private static Dictionary<string, string?> EnvironmentOf(JsonElement manifest, string resource) =>
        manifest.GetProperty(resource).GetProperty("env").EnumerateObject()
            .ToDictionary(variable => variable.Name, variable => variable.Value.GetString());

    private static string? TypeOf(JsonElement manifest, string resource) =>
        manifest.GetProperty(resource).GetProperty("type").GetString();

    /// <summary>Returns each binding of a resource as its name and target port.</summary>
    private static List<string> BindingsOf(JsonElement manifest, string resource) =>
        [.. manifest.GetProperty(resource).GetProperty("bindings").EnumerateObject()
            .Select(binding => $"{binding.Name} {binding.Value.GetProperty("targetPort").GetInt32()}")
            .Order()];
}
