using System.Security.Cryptography;
using Aspire.Hosting.Testing;
using BulkCerts.Api.Security;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Runs the Api without the AppHost, against a Redis that the test starts and the app's CertEngine,
/// with nothing but the environment variables that a deployment sets.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class StandaloneApiTests(BulkCertsAppFixture fixture)
{
    private const string ApiKey = "standalone-api-key-6e2f9a41c8d3";
    private const int Quantity = 3;

    [Fact]
    public async Task ApiRunsAgainstGivenRedis()
    {
        using var redis = await RedisServer.StartAsync();
        var dataPath = Directory.CreateTempSubdirectory("bulkcerts-standalone-").FullName;
        var credential = await fixture.GetEngineCredentialAsync();
        var resultKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            using var api = await StandaloneApi.StartAsync(new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = redis.ConnectionString,
                ["BulkCerts__CertEngines__0"] = "certengine",
                ["services__certengine__grpc__0"] = fixture.App.GetEndpoint("certengine", "grpc").ToString(),
                ["BulkCerts__CertEngineCredential"] = credential,
                ["BulkCerts__Auth__ApiKeys__standalone__Hash"] = ApiKeyStore.HashKey(ApiKey),
                ["BulkCerts__ResultEncryptionKey"] = resultKey,
                ["BulkCerts__DataPath"] = dataPath,
            });
            using var client = new HttpClient { BaseAddress = api.Address, Timeout = TimeSpan.FromMinutes(1) };
            client.DefaultRequestHeaders.Add("x-api-key", ApiKey);

            var body = $$$"""
                {"quantity": {{{Quantity}}}, "certInfo": {"commonName": "solo", "keyAlgorithm": "EC-P256"}}
                """;
            var taskId = await TaskClient.CreateAsync(client, "/certificates", body);
            var (status, _) = await TaskClient.WaitForEndAsync(client, taskId, TimeSpan.FromMinutes(1));

            Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
            await IssuedCertificates.AssertEachIssuedOnceAsync(
                client, taskId, Quantity, fixture.DefaultCaCertificatePath);

            // The task was stored in the Redis the connection string named.
            await using var connection = await redis.ConnectAsync();
            Assert.True(await connection.GetDatabase().KeyExistsAsync($"bulkcerts:task:{{{taskId}}}"));

            Assert.DoesNotContain(redis.Password, api.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(credential, api.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(resultKey, api.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
