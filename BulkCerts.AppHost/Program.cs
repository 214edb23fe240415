using Microsoft.Extensions.Configuration;
using BulkCerts.AppHost;
using BulkCerts.AppHost.Redis;

var builder = DistributedApplication.CreateBuilder(args);

var dataPath = Path.GetFullPath(builder.Configuration["DataPath"] ?? "../.data", builder.AppHostDirectory);
var engineReplicas = builder.Configuration.GetValue("CertEngine:Replicas", 1);
var apiReplicas = builder.Configuration.GetValue("Api:Replicas", 1);
foreach (var (key, value) in new[] { ("CertEngine:Replicas", engineReplicas), ("Api:Replicas", apiReplicas) })
{
    if (value < 1)
    {
        Console.Error.WriteLine($"{key} is {value}; set 1 or more.");
        return 1;
    }
}

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

var certEngine = builder.AddProject<Projects.BulkCerts_CertEngine>("certengine")
    .WithReplicas(engineReplicas)
    .WithEnvironment("CertEngine__DataPath", Path.Combine(dataPath, "certengine"))
    .WithEnvironment("CertEngine__ServiceCredential", engineCredential)
    .WithConfigurationSection("CertEngine")
    .WithHttpHealthCheck("/health", endpointName: "http")
    .WithoutOtlpRetry();

var api = builder.AddProject<Projects.BulkCerts_Api>("api")
    .WithReplicas(apiReplicas)
    .WithReference(redis)
    .WaitFor(redis)
    .WithReference(certEngine)
    .WaitFor(certEngine)
    .WithEnvironment("BulkCerts__DataPath", Path.Combine(dataPath, "api"))
    .WithEnvironment("BulkCerts__CertEngineCredential", engineCredential)
    .WithApiKey("development", apiKey)
    .WithConfigurationSection("BulkCerts")
    .WithHttpHealthCheck("/health")
    .WithoutOtlpRetry()
    .WithReadyMessage();

builder.Build().Run();

// Non-zero when a resource failed before it became healthy.
return Environment.ExitCode;
