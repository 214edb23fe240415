using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using BulkCerts.Api;
using BulkCerts.Api.Tasks;
using BulkCerts.Api.Telemetry;
using BulkCerts.Api.V1;
using BulkCerts.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using TaskStatus = BulkCerts.Api.V1.TaskStatus;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Progress counts in the task status, the task's event stream in Redis, and both ways of watching
/// it: server-sent events and the Api's gRPC WatchTask call. Most tests watch an idle task, a copy
/// of a finished task that no dispatcher works on, and complete its chunks through the task store,
/// so every step is under the test's control.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class TaskProgressTests(BulkCertsAppFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    // One finished task, created by the first test that needs it, copied by every idle task.
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _templateTaskId;

    private readonly MeterRecorder _meters = new();
    private ConnectionMultiplexer? _redis;

    private ConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("Not connected.");

    public async Task InitializeAsync() => _redis = await fixture.ConnectRedisAsync();

    public async Task DisposeAsync()
    {
        _meters.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task FinishedTaskReportsFullProgress()
    {
        var taskId = await CreateEcTaskAsync(250);

        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));

        Assert.Equal("complete", status.GetProperty("status").GetString());
        Assert.Equal(250, status.GetProperty("quantity").GetInt32());
        Assert.Equal(250, status.GetProperty("certificatesIssued").GetInt64());
        Assert.Equal(100, status.GetProperty("percentComplete").GetDouble());
        Assert.Equal(3, status.GetProperty("chunksTotal").GetInt32());
    }

    [Fact]
    public async Task RedisStreamRecordsEveryChange()
    {
        var taskId = await CreateEcTaskAsync(250);
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));

        var entries = await Redis.GetDatabase().StreamRangeAsync(TaskKeys.Events(taskId));

        var events = entries.Select(TaskEvent.Parse).ToList();
        Assert.Equal(["pending", "in_progress", "in_progress", "in_progress", "complete"], events.Select(e => e.Status));
        Assert.Equal([3, 3, 2, 1, 0], events.Select(e => e.ChunksPending));
        Assert.Equal(0, events[1].CertificatesIssued);
        Assert.Equal(250, events[^1].CertificatesIssued);
        Assert.Equal(events.Select(e => e.CertificatesIssued).Order(), events.Select(e => e.CertificatesIssued));
        Assert.True(await Redis.GetDatabase().KeyTimeToLiveAsync(TaskKeys.Events(taskId)) > TimeSpan.Zero);
    }

    [Fact]
    public async Task EventsFollowTaskUntilComplete()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        using var events = await EventStreamReader.OpenAsync(fixture.Api, $"/certificates/{taskId}/events");
        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);

        var first = await ReadProgressAsync(events);
        Assert.Equal(("in_progress", 0L, 0.0), Describe(first));

        await store.CompleteChunkAsync(taskId, 2, 100, [2]);
        var second = await ReadProgressAsync(events);
        Assert.Equal(("in_progress", 100L, 40.0), Describe(second));
        Assert.Equal(2, second.Body.GetProperty("chunksPending").GetInt32());

        await store.CompleteChunkAsync(taskId, 3, 50, [3]);
        await store.CompleteChunkAsync(taskId, 1, 100, [1]);
        var third = await ReadProgressAsync(events);
        var last = await ReadProgressAsync(events);
        Assert.Equal(("in_progress", 150L, 60.0), Describe(third));
        Assert.Equal(("complete", 250L, 100.0), Describe(last));
        Assert.Equal(250, last.Body.GetProperty("quantity").GetInt32());
        Assert.Null(await events.ReadAsync(EventTimeout));

        string[] ids = [second.Id, third.Id, last.Id];
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task ReconnectContinuesAfterLastEvent()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        await store.CompleteChunkAsync(taskId, 1, 100, [1]);
        var firstId = await store.GetLastEventIdAsync(taskId);
        await store.CompleteChunkAsync(taskId, 2, 100, [2]);

        using var events = await EventStreamReader.OpenAsync(
            fixture.Api, $"/certificates/{taskId}/events", lastEventId: firstId);

        // No snapshot first: the next event is the one after the given id.
        Assert.Equal(("in_progress", 200L, 80.0), Describe(await ReadProgressAsync(events)));
    }

    [Fact]
    public async Task ResumedWatchSendsHeadersAtOnce()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        await store.CompleteChunkAsync(taskId, 1, 100, [1]);
        var newestId = await store.GetLastEventIdAsync(taskId);

        // Nothing follows the newest event yet, so only the headers can end this wait.
        using var events = await EventStreamReader
            .OpenAsync(fixture.Api, $"/certificates/{taskId}/events", lastEventId: newestId)
            .WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);
        await store.CompleteChunkAsync(taskId, 2, 100, [2]);
        Assert.Equal(("in_progress", 200L, 80.0), Describe(await ReadProgressAsync(events)));
    }

    [Theory]
    [InlineData("99999999999999-0")]
    [InlineData("1-0")]
    public async Task ResumeFromForeignIdStartsAfresh(string lastEventId)
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        await store.CompleteChunkAsync(taskId, 1, 100, [1]);

        using var events = await EventStreamReader.OpenAsync(
            fixture.Api, $"/certificates/{taskId}/events", lastEventId);

        Assert.Equal(("in_progress", 100L, 40.0), Describe(await ReadProgressAsync(events)));
        await store.CompleteChunkAsync(taskId, 2, 100, [2]);
        await store.CompleteChunkAsync(taskId, 3, 50, [3]);
        Assert.Equal(("in_progress", 200L, 80.0), Describe(await ReadProgressAsync(events)));
        Assert.Equal(("complete", 250L, 100.0), Describe(await ReadProgressAsync(events)));
        Assert.Null(await events.ReadAsync(EventTimeout));
    }

    [Fact]
    public async Task ReconnectToEndedTaskGetsNoContent()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        await store.CompleteChunkAsync(taskId, 1, 100, [1]);
        await store.CompleteChunkAsync(taskId, 2, 100, [2]);
        await store.CompleteChunkAsync(taskId, 3, 50, [3]);
        var lastId = await store.GetLastEventIdAsync(taskId);

        using var events = await EventStreamReader.OpenAsync(
            fixture.Api, $"/certificates/{taskId}/events", lastId);

        Assert.Equal(HttpStatusCode.NoContent, events.Response.StatusCode);
    }

    [Fact]
    public async Task FailedTaskEndsStreamWithReason()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        using var events = await EventStreamReader.OpenAsync(fixture.Api, $"/certificates/{taskId}/events");
        await ReadProgressAsync(events);

        await store.FailAsync(taskId, "chunk 2 was rejected: a test failure");

        var failed = await ReadProgressAsync(events);
        Assert.Equal("failed", failed.Body.GetProperty("status").GetString());
        Assert.Equal("chunk 2 was rejected: a test failure", failed.Body.GetProperty("message").GetString());
        Assert.Null(await events.ReadAsync(EventTimeout));
    }

    [Fact]
    public async Task DeletedTaskEndsStream()
    {
        var (taskId, _) = await CreateIdleTaskAsync();
        using var events = await EventStreamReader.OpenAsync(fixture.Api, $"/certificates/{taskId}/events");
        await ReadProgressAsync(events);

        using var deleted = await fixture.Api.DeleteAsync($"/certificates/{taskId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var last = await events.ReadAsync(EventTimeout);
        Assert.NotNull(last);
        Assert.Equal("deleted", last.Name);
        Assert.Contains($"Task {taskId} was deleted", last.Data);
        Assert.Null(await events.ReadAsync(EventTimeout));
    }

    [Fact]
    public async Task CompleteTaskSendsOneEvent()
    {
        var taskId = await CreateEcTaskAsync(5);
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));

        using var events = await EventStreamReader.OpenAsync(fixture.Api, $"/certificates/{taskId}/events");

        Assert.Equal(("complete", 5L, 100.0), Describe(await ReadProgressAsync(events)));
        Assert.Null(await events.ReadAsync(EventTimeout));
    }

    [Theory]
    [InlineData("application/json", HttpStatusCode.NotAcceptable, "text/event-stream")]
    [InlineData("text/event-stream", HttpStatusCode.NotFound, "was not found")]
    public async Task EventsRejectBadRequests(string accept, HttpStatusCode expected, string messagePart)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{Guid.NewGuid()}/events");
        request.Headers.Add("Accept", accept);

        using var response = await fixture.Api.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains(messagePart, await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task EventsRespectSupplierScope()
    {
        var (taskId, _) = await CreateIdleTaskAsync();
        using var scoped = fixture.CreateClient(BulkCertsAppFixture.AcmeOnlyKey);

        using var events = await EventStreamReader.OpenAsync(scoped, $"/certificates/{taskId}/events");

        Assert.Equal(HttpStatusCode.Forbidden, events.Response.StatusCode);
    }

    [Fact]
    public async Task GrpcWatchFollowsTaskUntilComplete()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("api", "grpc"));
        using var call = Watch(channel, taskId);
        var updates = call.ResponseStream;

        Assert.True(await updates.MoveNext());
        Assert.Equal(TaskStatus.InProgress, updates.Current.Status);
        Assert.Equal(250, updates.Current.Quantity);
        await store.CompleteChunkAsync(taskId, 1, 100, [1]);
        await store.CompleteChunkAsync(taskId, 2, 100, [2]);
        await store.CompleteChunkAsync(taskId, 3, 50, [3]);

        var received = new List<TaskProgress>();
        while (await updates.MoveNext())
        {
            received.Add(updates.Current);
        }

        Assert.Equal([100L, 200L, 250L], received.Select(update => update.CertificatesIssued));
        Assert.Equal(TaskStatus.Complete, received[^1].Status);
        Assert.Equal(100, received[^1].PercentComplete);
        Assert.Equal(taskId, received[^1].TaskId);
    }

    [Fact]
    public async Task ProgressCountsRejectedRequests()
    {
        var (taskId, store) = await CreateIdleTaskAsync();
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("api", "grpc"));
        using var call = Watch(channel, taskId);
        var updates = call.ResponseStream;
        Assert.True(await updates.MoveNext());

        await store.CompleteChunkAsync(taskId, 1, 90, [1], rejected: 10);
        Assert.True(await updates.MoveNext());
        var status = await TaskClient.GetStatusAsync(fixture.Api, taskId);

        Assert.Equal(90, updates.Current.CertificatesIssued);
        Assert.Equal(10, updates.Current.CertificatesRejected);
        Assert.Equal(40, updates.Current.PercentComplete);
        Assert.Equal(10, status.GetProperty("certificatesRejected").GetInt64());
        Assert.Equal(40, status.GetProperty("percentComplete").GetDouble());
    }

    [Theory]
    [InlineData("not-a-task", BulkCertsAppFixture.ApiKey, StatusCode.InvalidArgument)]
    [InlineData("unknown", BulkCertsAppFixture.ApiKey, StatusCode.NotFound)]
    [InlineData("idle", BulkCertsAppFixture.AcmeOnlyKey, StatusCode.PermissionDenied)]
    [InlineData("idle", null, StatusCode.Unauthenticated)]
    [InlineData("idle", "wrong-key-0123456789", StatusCode.Unauthenticated)]
    public async Task GrpcWatchRejectsBadCalls(string task, string? apiKey, StatusCode expected)
    {
        var taskId = task switch
        {
            "idle" => (await CreateIdleTaskAsync()).TaskId,
            "unknown" => Guid.NewGuid().ToString(),
            _ => task,
        };
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("api", "grpc"));
        var watcher = new TaskWatcher.TaskWatcherClient(channel);
        var headers = new Metadata();
        if (apiKey is not null)
        {
            headers.Add("x-api-key", apiKey);
        }

        using var call = watcher.WatchTask(new WatchTaskRequest { TaskId = taskId }, headers);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(expected, error.StatusCode);
        if (expected != StatusCode.Unauthenticated)
        {
            Assert.Contains(expected == StatusCode.InvalidArgument ? "not-a-task" : taskId, error.Status.Detail);
        }
    }

    /// <summary>Starts a gRPC watch of the task with the fixture's unscoped API key.</summary>
    private static AsyncServerStreamingCall<TaskProgress> Watch(GrpcChannel channel, string taskId) =>
        new TaskWatcher.TaskWatcherClient(channel).WatchTask(
            new WatchTaskRequest { TaskId = taskId },
            new Metadata { { "x-api-key", BulkCertsAppFixture.ApiKey } });

    private async Task<string> CreateEcTaskAsync(int quantity) => await TaskClient.CreateAsync(
        fixture.Api,
        "/certificates",
        $$$"""{"quantity": {{{quantity}}}, "certInfo": {"commonName": "progress", "keyAlgorithm": "EC-P256"}}""");

    /// <summary>
    /// Creates a task that no dispatcher works on: a copy, under a new id, of a finished task of
    /// 250 certificates in three chunks, reset to in progress with no chunk done.
    /// </summary>
    private async Task<(string TaskId, TaskStore Store)> CreateIdleTaskAsync()
    {
        var template = await GetTemplateTaskAsync();
        var database = Redis.GetDatabase();
        var taskId = TaskIds.New();
        var fields = await database.HashGetAllAsync(TaskKeys.Task(template));
        await database.HashSetAsync(TaskKeys.Task(taskId), fields);
        await database.HashSetAsync(TaskKeys.Task(taskId),
        [
            new HashEntry("status", "in_progress"),
            new HashEntry("chunksPending", 3),
            new HashEntry("certificatesIssued", 0),
        ]);
        await database.KeyExpireAsync(TaskKeys.Task(taskId), TimeSpan.FromMinutes(10));
        var store = new TaskStore(
            Redis, Options.Create(new BulkCertsOptions()), TimeProvider.System, new ApiMetrics(_meters));
        return (taskId, store);
    }

    private async Task<string> GetTemplateTaskAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_templateTaskId is null)
            {
                var taskId = await CreateEcTaskAsync(250);
                await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));
                _templateTaskId = taskId;
            }

            return _templateTaskId;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static async Task<(string Id, JsonElement Body)> ReadProgressAsync(EventStreamReader events)
    {
        var next = await events.ReadAsync(EventTimeout);
        Assert.NotNull(next);
        Assert.Equal("progress", next.Name);
        Assert.False(string.IsNullOrEmpty(next.Id));
        using var body = JsonDocument.Parse(next.Data);
        return (next.Id, body.RootElement.Clone());
    }

    private static (string?, long, double) Describe((string Id, JsonElement Body) update) =>
    (
        update.Body.GetProperty("status").GetString(),
        update.Body.GetProperty("certificatesIssued").GetInt64(),
        update.Body.GetProperty("percentComplete").GetDouble()
    );
}
