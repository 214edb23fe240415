using System.Net;
using Aspire.Hosting.Testing;
using BulkCerts.Api;
using BulkCerts.Api.Tasks;
using BulkCerts.Tests.Support;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Tests.Integration;

/// <summary>Checks the task store's Redis scripts against the app's own Redis.</summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class TaskStoreTests(BulkCertsAppFixture fixture)
{
    [Fact]
    public async Task CompletingChunkTwiceChangesNothing()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "twice"}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(5));
        await using var redis = await ConnectAsync();
        var store = new TaskStore(redis, Options.Create(new BulkCertsOptions()), TimeProvider.System);
        var storedBefore = await store.GetChunkResultAsync(taskId, 1);

        var completion = await store.CompleteChunkAsync(taskId, 1, [1, 2, 3]);

        Assert.Equal(ChunkCompletion.AlreadyStored, completion);
        var task = await store.GetAsync(taskId);
        Assert.NotNull(task);
        Assert.Equal(TaskStates.Complete, task.Status);
        Assert.Equal(0, task.ChunksPending);
        Assert.Equal(storedBefore, await store.GetChunkResultAsync(taskId, 1));
        using var download = await fixture.Api.GetAsync($"/certificates/{taskId}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
    }

    [Fact]
    public async Task StoredResultHasNoPrivateKeyInClear()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 2, "certInfo": {"commonName": "at-rest"}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(5));
        await using var redis = await ConnectAsync();

        var stored = (byte[]?)await redis.GetDatabase().StringGetAsync(TaskKeys.Chunk(taskId, 1));

        Assert.NotNull(stored);
        var text = System.Text.Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain("PRIVATE KEY", text);
        Assert.DoesNotContain("CERTIFICATE", text);
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis");
        return await ConnectionMultiplexer.ConnectAsync(connectionString!);
    }
}
