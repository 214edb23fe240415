using Microsoft.Extensions.Configuration;
using BulkCerts.AppHost;
using BulkCerts.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var dataPath = Path.GetFullPath(builder.Configuration["DataPath"] ?? "../.data", builder.AppHostDirectory);
// A published app runs on other machines, whose core count this one cannot know.
var maxCores = builder.ExecutionContext.IsPublishMode ? 1024 : Environment.ProcessorCount;
var counts = new Dictionary<string, int>();
foreach (var (key, fallback, min, max) in new[]
    {
        ("CertEngine:Replicas", 1, 1, 64),
        ("Api:Replicas", 1, 1, 64),
        ("CertEngine:CoresPerReplica", 0, 0, maxCores),
    })
{
    var text = builder.Configuration[key];
    var value = fallback;
    if (text is not null && (!int.TryParse(text, out value) || value < min || value > max))
    {
        Console.Error.WriteLine($"{key} is '{text}'; set a whole number from {min} to {max}.");
        return 1;
    }

    counts[key] = value;
}

var engineReplicas = counts["CertEngine:Replicas"];
var apiReplicas = counts["Api:Replicas"];
var coresPerEngine = counts["CertEngine:CoresPerReplica"];

IResourceBuilder<IResourceWithConnectionString> redis;
try
{
    redis = builder.AddBulkCertsRedis("redis", Path.Combine(dataPath, "redis"));
}
catch (RedisSetupException exception)
{
    Console.Error.WriteLine(exception.Message);
    return 1;
}

ResourceFailureWatcher.Register(builder);
PublishingExtensions.WarnIfNoDefaultAuthority(builder);

// The bearer token the Api sends to every CertEngine: a new one on each run, unless the setting
// Parameters:certengine-credential fixes it.
var secretDefault = new GenerateParameterDefault { MinLength = 40, Special = false };
var engineCredential = builder.AddParameter("certengine-credential", secretDefault, secret: true);

var api = builder.AddProject<Projects.BulkCerts_Api>("api")
    .WithReplicas(apiReplicas)
    .WithoutPublishedHttps()
    .WithReference(redis)
    .WaitFor(redis);

// One resource per CertEngine instance rather than replicas behind one proxied address. The Api
// then keeps a connection to each and sends each chunk to the instance with the fewest in flight.
for (var index = 0; index < engineReplicas; index++)
{
    var name = index == 0 ? "certengine" : $"certengine-{index + 1}";
    var certEngine = builder.AddProject<Projects.BulkCerts_CertEngine>(name)
        .WithLocalDataPath("CertEngine__DataPath", Path.Combine(dataPath, "certengine"))
        .WithEnvironment("CertEngine__ServiceCredential", engineCredential)
        .WithConfigurationSection("CertEngine")
        .WithProcessorCores(coresPerEngine, index)
        .WithEndpointPortsAfter(index)
        .WithoutPublishedHttps()
        .WithHttpHealthCheck("/health", endpointName: "http")
        .WithoutOtlpRetry();
    api.WithReference(certEngine)
        .WaitFor(certEngine)
        .WithEnvironment($"BulkCerts__CertEngines__{index}", name);
}

api.WithLocalDataPath("BulkCerts__DataPath", Path.Combine(dataPath, "api"))
    .WithEnvironment("BulkCerts__CertEngineCredential", engineCredential)
    .WithApiKey("development", out var apiKey)
    .WithConfigurationSection("BulkCerts")
    // Every Api replica must decrypt what the others stored, so a published app needs the one key.
    .WithSecretFromDeployment("BulkCerts:ResultEncryptionKey")
    .WithHttpHealthCheck("/health")
    .WithoutOtlpRetry()
    .WithReadyMessage();

// The dashboard command sends the generated key, which exists only when the AppHost runs the app.
if (apiKey is not null)
{
    api.WithSampleTaskCommand(apiKey);
}

builder.Build().Run();

// Non-zero when a resource failed before it became healthy.
return Environment.ExitCode;
