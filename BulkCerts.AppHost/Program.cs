using Microsoft.Extensions.Configuration;
using BulkCerts.AppHost;
using BulkCerts.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var dataPath = Path.GetFullPath(builder.Configuration["DataPath"] ?? "../.data", builder.AppHostDirectory);
var counts = new Dictionary<string, int>();
foreach (var (key, fallback, min, max) in new[]
    {
        ("CertEngine:Replicas", 1, 1, 64),
        ("Api:Replicas", 1, 1, 64),
        ("CertEngine:CoresPerReplica", 0, 0, Environment.ProcessorCount),
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

// The key REST clients send in x-api-key: generated on first run and kept in the AppHost's user
// secrets, or fixed with the setting Parameters:api-key. The Api receives only its hash.
var secretDefault = new GenerateParameterDefault { MinLength = 40, Special = false };
var apiKey = builder.AddParameter("api-key", secretDefault, secret: true, persist: true);
var engineCredential = builder.AddParameter("certengine-credential", secretDefault, secret: true);

var api = builder.AddProject<Projects.BulkCerts_Api>("api")
    .WithReplicas(apiReplicas)
    .WithReference(redis)
    .WaitFor(redis);

// One resource per CertEngine instance rather than replicas behind one proxied address. The Api
// then keeps a connection to each and sends each chunk to the instance with the fewest in flight.
for (var index = 0; index < engineReplicas; index++)
{
    var name = index == 0 ? "certengine" : $"certengine-{index + 1}";
    var certEngine = builder.AddProject<Projects.BulkCerts_CertEngine>(name)
        .WithEnvironment("CertEngine__DataPath", Path.Combine(dataPath, "certengine"))
        .WithEnvironment("CertEngine__ServiceCredential", engineCredential)
        .WithConfigurationSection("CertEngine")
        .WithProcessorCores(coresPerEngine, index)
        .WithEndpointPortsAfter(index)
        .WithHttpHealthCheck("/health", endpointName: "http")
        .WithoutOtlpRetry();
    api.WithReference(certEngine)
        .WaitFor(certEngine)
        .WithEnvironment($"BulkCerts__CertEngines__{index}", name);
}

api.WithEnvironment("BulkCerts__DataPath", Path.Combine(dataPath, "api"))
    .WithEnvironment("BulkCerts__CertEngineCredential", engineCredential)
    .WithApiKey("development", apiKey)
    .WithConfigurationSection("BulkCerts")
    .WithHttpHealthCheck("/health")
    .WithoutOtlpRetry()
    .WithReadyMessage()
    .WithSampleTaskCommand(apiKey);

builder.Build().Run();

// Non-zero when a resource failed before it became healthy.
return Environment.ExitCode;
