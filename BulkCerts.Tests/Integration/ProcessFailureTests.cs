using Aspire.Hosting.ApplicationModel;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Kills or stops one process of the replicated app while a multi-chunk RSA task runs, and checks
/// that the task still ends with each certificate issued exactly once and nothing left in the
/// queue. The AppHost starts each killed process again; a stopped one is started by the test.
/// </summary>
[Collection(ReplicatedAppCollection.Name)]
public sealed class ProcessFailureTests(ReplicatedAppFixture fixture)
{
    private const int Quantity = 200;
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public Task EngineReplicaKilledMidTask() => RunWhileKillingAsync("certengine");

    [Fact]
    public Task ApiReplicaKilledMidTask() => RunWhileKillingAsync("api");

    [Fact]
    public Task RedisKilledMidTask() => RunWhileKillingAsync("redis");

    /// <summary>
    /// A stopping Api finishes its chunks or puts them back in the queue. A stopping CertEngine
    /// ends its streams, so the Api issues those chunks again on the other replica.
    /// </summary>
    [Theory]
    [InlineData("api")]
    [InlineData("certengine")]
    public async Task ReplicaStoppedMidTask(string resource)
    {
        var taskId = await StartTaskAsync($"stop-{resource}");
        var victim = (await AppResources.GetInstancesAsync(fixture.App, resource))[0];

        await AppResources.ExecuteCommandAsync(fixture.App, victim.ResourceId, KnownResourceCommands.StopCommand);
        try
        {
            await AssertTaskIssuedOnceAsync(taskId);
        }
        finally
        {
            await AppResources.ExecuteCommandAsync(fixture.App, victim.ResourceId, KnownResourceCommands.StartCommand);
            await AppResources.WaitForHealthyAsync(fixture.App, resource);
        }
    }

    private async Task RunWhileKillingAsync(string resource)
    {
        var taskId = await StartTaskAsync($"kill-{resource}");
        var victim = (await AppResources.GetInstancesAsync(fixture.App, resource))[0];

        var killed = AppResources.Kill(victim);

        await AssertTaskIssuedOnceAsync(taskId);
        await AppResources.WaitForRestartAsync(fixture.App, victim.ResourceId, killed);
    }

    private async Task<string> StartTaskAsync(string namePrefix)
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            $$$"""{"quantity": {{{Quantity}}}, "certInfo": {"commonName": "`{{{namePrefix}}}-`0000${increment}"}}""");
        await TaskClient.WaitForStartAsync(fixture.Api, taskId, TaskTimeout);
        return taskId;
    }

    private async Task AssertTaskIssuedOnceAsync(string taskId)
    {
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout, tolerateOutages: true);
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
        await IssuedCertificates.AssertEachIssuedOnceAsync(
            fixture.Api, taskId, Quantity, fixture.DefaultCaCertificatePath);

        using var redis = await fixture.ConnectRedisAsync();
        await ChunkQueueProbe.AssertDrainedAsync(redis.GetDatabase(), taskId, TimeSpan.FromSeconds(10));
    }
}
