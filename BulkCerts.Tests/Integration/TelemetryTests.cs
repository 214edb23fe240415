using BulkCerts.Api.Telemetry;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Runs tasks and finds their metrics, traces and logs in what the services exported to the fixture's
/// OTLP receiver, as the Aspire dashboard would receive them.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class TelemetryTests(BulkCertsAppFixture fixture)
{
    private const string IssueMethod = "bulkcerts.certengine.v1.CertificateEngine/IssueCertificates";

    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Several metric export intervals, which the fixture sets to 5 seconds, and queue sampling intervals.
    /// </summary>
    private static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task IssuedCertificatesAreCountedOnce()
    {
        // No other test issues Ed25519 certificates for the supplier, so no other task moves this series.
        const int Quantity = 150;
        var tags = new Dictionary<string, string>
        {
            [ApiMetrics.KeyAlgorithmTag] = "Ed25519",
            [ApiMetrics.CertificateAuthorityTag] = BulkCertsAppFixture.SupplierAlias,
            [ApiMetrics.SupplierTag] = BulkCertsAppFixture.SupplierId.ToLowerInvariant(),
        };
        var before = IssuedTotal(tags);

        var taskId = await RunTaskAsync(
            $"/supplier/{BulkCertsAppFixture.SupplierId}/certificates",
            $$$"""{"quantity": {{{Quantity}}}, "certInfo": {"commonName": "metrics", "keyAlgorithm": "Ed25519"}}""");

        await WaitUntilAsync(
            () => IssuedTotal(tags) >= before + Quantity,
            () => $"bulkcerts.certificates.issued for {string.Join(", ", tags)} stayed at {IssuedTotal(tags)}, " +
                $"{before} before task {taskId} of {Quantity} certificates");
        Assert.Equal(before + Quantity, IssuedTotal(tags));
    }

    [Fact]
    public async Task ChunkAndQueueMetricsAreExported()
    {
        await RunTaskAsync(
            "/certificates", """{"quantity": 2, "certInfo": {"commonName": "chunks", "keyAlgorithm": "EC-P256"}}""");

        var duration = await WaitForAsync(
            () => ApiPoints("bulkcerts.chunk.duration").LastOrDefault(point =>
                point.Attributes.GetValueOrDefault(ApiMetrics.OutcomeTag) == ChunkOutcomes.Stored),
            () => "No bulkcerts.chunk.duration point with outcome stored was exported.");
        var depth = await WaitForAsync(
            () => ApiPoints("bulkcerts.queue.depth").LastOrDefault(),
            () => "No bulkcerts.queue.depth point was exported.");
        var pending = await WaitForAsync(
            () => ApiPoints("bulkcerts.chunks.pending").LastOrDefault(),
            () => "No bulkcerts.chunks.pending point was exported.");

        Assert.Equal("histogram", duration.Type);
        Assert.Equal("s", duration.Unit);
        Assert.True(duration.Count >= 1);
        Assert.InRange(duration.Value / duration.Count, 0, TaskTimeout.TotalSeconds);
        Assert.Equal("gauge", depth.Type);
        Assert.Equal("{chunk}", depth.Unit);
        Assert.True(depth.Value >= 0);
        Assert.Equal("gauge", pending.Type);
        Assert.True(pending.Value >= 0);
    }

    [Fact]
    public async Task TaskFormsOneConnectedTrace()
    {
        var taskId = await RunTaskAsync(
            "/certificates", """{"quantity": 3, "certInfo": {"commonName": "trace", "keyAlgorithm": "EC-P256"}}""");
        await TaskClient.DownloadAsync(fixture.Api, taskId);

        var publish = await WaitForSpanAsync("bulkcerts.chunks publish", taskId);
        var process = await WaitForSpanAsync("bulkcerts.chunks process", taskId);
        var store = await WaitForSpanAsync("bulkcerts.chunk store", taskId);
        var zip = await WaitForSpanAsync("bulkcerts.zip write", taskId);
        var storeCommand = await WaitForAsync(
            () => fixture.Telemetry.Spans().FirstOrDefault(span =>
                span.ParentSpanId == store.SpanId && span.Attributes.GetValueOrDefault("db.system") == "redis"),
            () => $"No Redis command span under the store span of task {taskId} was exported.");
        var trace = Trace(publish.TraceId);
        var post = trace.SingleOrDefault(span => span.SpanId == publish.ParentSpanId);
        var engineCall = trace.FirstOrDefault(span =>
            span is { Kind: OtlpSpan.ClientKind, Service: "api", Name: IssueMethod }
            && span.ParentSpanId == process.SpanId);
        var engineServer = trace.FirstOrDefault(span =>
            span is { Kind: OtlpSpan.ServerKind, Service: "certengine" }
            && engineCall is not null && IsDescendant(trace, span, engineCall));
        var described = Describe(trace);

        Assert.True(post is { Kind: OtlpSpan.ServerKind, Service: "api" }, described);
        Assert.Contains("POST", post.Name, StringComparison.Ordinal);
        Assert.Equal(OtlpSpan.ProducerKind, publish.Kind);
        Assert.Equal(publish.TraceId, process.TraceId);
        Assert.Equal(OtlpSpan.ConsumerKind, process.Kind);
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.True(engineCall is not null, $"No CertEngine call under the chunk's span. {described}");
        Assert.Equal("grpc", engineCall.Attributes.GetValueOrDefault("rpc.system"));
        Assert.True(engineServer is not null, $"No CertEngine server span under the call. {described}");
        Assert.Equal(process.TraceId, store.TraceId);
        Assert.True(IsDescendant(trace, store, process), described);
        Assert.Equal(store.TraceId, storeCommand.TraceId);
        Assert.DoesNotContain(fixture.Telemetry.Spans(), span =>
            span.ParentSpanId.Length == 0 && span.Attributes.ContainsKey("db.system"));
        Assert.NotEqual(publish.TraceId, zip.TraceId);
        Assert.Contains(publish.TraceId, zip.LinkedTraceIds);
    }

    [Fact]
    public async Task LogRecordsCarryTaskAndChunkIds()
    {
        var taskId = await RunTaskAsync(
            "/certificates", """{"quantity": 1, "certInfo": {"commonName": "logs", "keyAlgorithm": "EC-P256"}}""");
        await TaskClient.DownloadAsync(fixture.Api, taskId);

        var completed = await WaitForAsync(
            () => ApiLogs(taskId).FirstOrDefault(log => log.Body.Contains("certificates, ", StringComparison.Ordinal)),
            () => $"No dispatcher log record with the attribute TaskId={taskId} was exported.");
        var downloaded = await WaitForAsync(
            () => ApiLogs(taskId).FirstOrDefault(log => log.Body.Contains("downloaded", StringComparison.Ordinal)),
            () => $"No download log record with the attribute TaskId={taskId} was exported.");

        Assert.Equal("1", completed.Attributes.GetValueOrDefault("ChunkId"));
        Assert.NotEqual(string.Empty, completed.TraceId);
        Assert.Contains("1 certificates from 1 chunks", downloaded.Body, StringComparison.Ordinal);
    }

    private async Task<string> RunTaskAsync(string path, string body)
    {
        var taskId = await TaskClient.CreateAsync(fixture.Api, path, body);
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.Equal("complete", status.GetProperty("status").GetString());
        return taskId;
    }

    /// <summary>
    /// Returns the latest cumulative value of the Api's issued-certificates counter for exactly these tags,
    /// or 0 before the first export that has them.
    /// </summary>
    private double IssuedTotal(IReadOnlyDictionary<string, string> tags) =>
        ApiPoints("bulkcerts.certificates.issued")
            .Where(point => point.Attributes.Count == tags.Count
                && tags.All(tag => point.Attributes.GetValueOrDefault(tag.Key) == tag.Value))
            .Select(point => point.Value)
            .DefaultIfEmpty(0)
            .Max();

    private IEnumerable<OtlpMetricPoint> ApiPoints(string name) =>
        fixture.Telemetry.MetricPoints()
            .Where(point => point.Service == "api" && point.Name == name)
            .OrderBy(point => point.TimeUnixNano);

    private IEnumerable<OtlpLogRecord> ApiLogs(string taskId) =>
        fixture.Telemetry.LogRecords()
            .Where(log => log.Service == "api" && log.Attributes.GetValueOrDefault("TaskId") == taskId);

    private Task<OtlpSpan> WaitForSpanAsync(string name, string taskId) => WaitForAsync(
        () => fixture.Telemetry.Spans().FirstOrDefault(span =>
            span.Name == name && span.Attributes.GetValueOrDefault("bulkcerts.task_id") == taskId),
        () => $"No span {name} of task {taskId} was exported.");

    private List<OtlpSpan> Trace(string traceId) =>
        [.. fixture.Telemetry.Spans().Where(span => span.TraceId == traceId)];

    private static bool IsDescendant(List<OtlpSpan> trace, OtlpSpan span, OtlpSpan ancestor)
    {
        var byId = trace.ToDictionary(item => item.SpanId);
        for (var current = span; byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(List<OtlpSpan> trace) =>
        $"The trace holds: {string.Join("; ", trace.Select(span =>
            $"{span.Service} {span.Name} (kind {span.Kind}, id {span.SpanId}, parent {span.ParentSpanId})"))}";

    /// <summary>Polls until <paramref name="find"/> returns a value, or fails with the description.</summary>
    private static async Task<T> WaitForAsync<T>(Func<T?> find, Func<string> describe)
        where T : class
    {
        T? found = null;
        await WaitUntilAsync(() => (found = find()) is not null, describe);
        return found!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + TelemetryTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{describe()} (waited {TelemetryTimeout.TotalSeconds} s)");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }
}
