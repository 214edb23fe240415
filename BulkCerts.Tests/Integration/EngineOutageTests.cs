using System.Net;
using Aspire.Hosting.ApplicationModel;
using BulkCerts.Api.Tasks;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// The single CertEngine of the shared app crashes or stays down while a task runs. Each test
/// leaves the engine healthy for the tests after it.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class EngineOutageTests(BulkCertsAppFixture fixture)
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task EngineKilledMidTask()
    {
        const int Quantity = 300;
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            $$$"""{"quantity": {{{Quantity}}}, "certInfo": {"commonName": "`crash-`0000${increment}"}}""");
        await TaskClient.WaitForStartAsync(fixture.Api, taskId, TaskTimeout);

        var engine = Assert.Single(await AppResources.GetInstancesAsync(fixture.App, "certengine"));
        var killed = AppResources.Kill(engine);
        await AppResources.WaitForRestartAsync(fixture.App, engine.ResourceId, killed);

        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
        await IssuedCertificates.AssertEachIssuedOnceAsync(
            fixture.Api, taskId, Quantity, fixture.DefaultCaCertificatePath);

        using var redis = await fixture.ConnectRedisAsync();
        await ChunkQueueProbe.AssertDrainedAsync(redis.GetDatabase(), taskId, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EngineDownFailsTaskWithReason()
    {
        // The Api checks a request against its CA; a recent list lets it accept tasks while the engine is down.
        using (var authorities = await fixture.Api.SendAsync(
            TaskClient.JsonRequest(HttpMethod.Get, "/certificateauthorities", null, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, authorities.StatusCode);
        }

        var engine = Assert.Single(await AppResources.GetInstancesAsync(fixture.App, "certengine"));
        await AppResources.ExecuteCommandAsync(fixture.App, engine.ResourceId, KnownResourceCommands.StopCommand);
        try
        {
            var taskId = await TaskClient.CreateAsync(
                fixture.Api, "/certificates", """{"quantity": 250, "certInfo": {"commonName": "outage"}}""");

            var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);

            Assert.True(status.GetProperty("status").GetString() == "failed", status.ToString());
            var message = status.GetProperty("message").GetString();
            Assert.Matches(@"^chunk [1-3] failed 5 times; last error: CertEngine call failed with \w+", message);

            using var download = await fixture.Api.SendAsync(
                TaskClient.JsonRequest(HttpMethod.Get, $"/certificates/{taskId}", null, "application/zip"));
            Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);

            using var redis = await fixture.ConnectRedisAsync();
            await ChunkQueueProbe.AssertDrainedAsync(redis.GetDatabase(), taskId, TimeSpan.FromSeconds(30));
            var keys = await fixture.FindTaskKeysAsync(taskId);
            Assert.DoesNotContain(keys, key => key.StartsWith(TaskKeys.ChunkPrefix(taskId), StringComparison.Ordinal));
        }
        finally
        {
            await AppResources.ExecuteCommandAsync(fixture.App, engine.ResourceId, KnownResourceCommands.StartCommand);
            await AppResources.WaitForHealthyAsync(fixture.App, "certengine");
        }
    }
}
