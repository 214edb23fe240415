using System.Net;
using BulkCerts.Api;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Security;
using BulkCerts.Api.Tasks;
using BulkCerts.Api.Telemetry;
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
        var store = CreateStore(redis);
        var storedBefore = await store.GetChunkResultAsync(taskId, 1);

        var completion = await store.CompleteChunkAsync(taskId, 1, 1, [1, 2, 3]);

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
    public async Task RejectedChunkFailsTaskWithReason()
    {
        // Written to the store directly, because the Api rejects an unknown CA before queueing.
        await using var redis = await ConnectAsync();
        var store = CreateStore(redis);
        var task = await store.CreateAsync(Spec(100_000), null, "missing-ca", null, default);
        Assert.Equal(1000, task.ChunksTotal);

        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, task.TaskId, TimeSpan.FromMinutes(5));

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal(1000, status.GetProperty("chunksPending").GetInt32());
        var message = status.GetProperty("message").GetString();
        Assert.Contains("was rejected", message);
        Assert.Contains("Certificate authority 'missing-ca' is not configured", message);
        using var download = await fixture.Api.GetAsync($"/certificates/{task.TaskId}");
        Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
    }

    [Fact]
    public async Task UnreadableTaskFailsOnce()
    {
        // A record without its fields cannot be read; its chunk must end the task, not circle
        // between dispatchers.
        await using var redis = await ConnectAsync();
        var database = redis.GetDatabase();
        var taskId = Guid.NewGuid().ToString();
        await database.HashSetAsync(TaskKeys.Task(taskId), [new HashEntry("status", "pending")]);
        await database.KeyExpireAsync(TaskKeys.Task(taskId), TimeSpan.FromMinutes(10));

        await database.StreamAddAsync(ChunkQueueStream.Key, ChunkQueueStream.CreateEntry(taskId, 1, default));

        await ChunkQueueProbe.AssertDrainedAsync(database, taskId, TimeSpan.FromSeconds(20));
        Assert.Equal("failed", (string?)await database.HashGetAsync(TaskKeys.Task(taskId), "status"));
        Assert.Contains("internal error", (string?)await database.HashGetAsync(TaskKeys.Task(taskId), "message"));
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

    [Fact]
    public async Task ReservationCountsBeforeTaskExists()
    {
        await using var redis = await ConnectAsync();
        var keys = new ApiKeyStore(Options.Create(new AuthOptions()));
        var limits = Options.Create(new RateLimitOptions { MaxRunningTasks = 1 });
        var settings = Options.Create(new BulkCertsOptions());
        var limit = new RunningTaskLimit(redis, limits, keys, settings, TimeProvider.System);
        var credential = new Credential($"test:{Guid.NewGuid():N}", Suppliers: null);

        var first = await limit.TryReserveAsync(credential, TaskIds.New());
        var second = await limit.TryReserveAsync(credential, TaskIds.New());

        // The first task's record is not written yet, as while two requests create tasks at once.
        Assert.Null(first);
        Assert.Equal(1, second);
    }

    [Fact]
    public async Task ResultUnderUnknownKeyIsNotStreamed()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 2, "certInfo": {"commonName": "rotated-away", "keyAlgorithm": "EC-P256"}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(5));
        await using var redis = await ConnectAsync();

        // Bytes 1 to 4 are the key id, so this result now names a key the Api does not have.
        await redis.GetDatabase().StringSetRangeAsync(TaskKeys.Chunk(taskId, 1), 1, new byte[] { 0, 0, 0, 0 });
        using var response = await fixture.Api.GetAsync($"/certificates/{taskId}");

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("BulkCerts:PreviousResultEncryptionKeys", await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task RedisFilesHaveNoPrivateKeyInClear()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 2, "certInfo": {"commonName": "on-disk", "keyAlgorithm": "EC-P256"}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(5));

        var files = Directory.GetFiles(Path.Combine(fixture.DataPath, "redis"), "*", SearchOption.AllDirectories);
        var contents = files.Select(file => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(file))).ToList();

        Assert.Contains(contents, text => text.Contains(taskId));
        Assert.All(contents, text => Assert.DoesNotContain("PRIVATE KEY", text));
    }

    private static TaskStore CreateStore(IConnectionMultiplexer redis) =>
        new(redis, Options.Create(new BulkCertsOptions()), TimeProvider.System, new ApiMetrics(new MeterRecorder()));

    private static CertificateRequestSpec Spec(int quantity) => new()
    {
        Quantity = quantity,
        CommonName = new NameTemplate(NameGenerator.Plain, string.Empty, "store-test", null),
        DaysExpiry = 30,
    };

    private Task<ConnectionMultiplexer> ConnectAsync() => fixture.ConnectRedisAsync();
}
