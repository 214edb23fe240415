using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Kills one process of the replicated app while a multi-chunk RSA task runs, and checks that the
/// task still ends with each certificate issued exactly once and nothing left in the queue. The
/// AppHost starts each killed process again.
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

    private async Task RunWhileKillingAsync(string resource)
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            $$$"""{"quantity": {{{Quantity}}}, "certInfo": {"commonName": "`{{{resource}}}-`0000${increment}"}}""");
        await TaskClient.WaitForStartAsync(fixture.Api, taskId, TaskTimeout);

        var victim = (await AppResources.GetInstancesAsync(fixture.App, resource))[0];
        var killed = AppResources.Kill(victim);

        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout, tolerateOutages: true);
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
        await IssuedCertificates.AssertEachIssuedOnceAsync(
            fixture.Api, taskId, Quantity, fixture.DefaultCaCertificatePath);

        using var redis = await fixture.ConnectRedisAsync();
        await ChunkQueueProbe.AssertDrainedAsync(redis.GetDatabase(), taskId, TimeSpan.FromSeconds(10));
        await AppResources.WaitForRestartAsync(fixture.App, victim.ResourceId, killed);
    }
}
