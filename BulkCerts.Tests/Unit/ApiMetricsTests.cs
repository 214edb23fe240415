using BulkCerts.Api.Certificates;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Tasks;
using BulkCerts.Api.Telemetry;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Unit;

public sealed class ApiMetricsTests : IDisposable
{
    private const string Issued = "bulkcerts.certificates.issued";

    private readonly MeterRecorder _recorder = new();
    private readonly ApiMetrics _metrics;

    public ApiMetricsTests() => _metrics = new ApiMetrics(_recorder);

    [Fact]
    public void IssuedCountTagsSupplierInLowercase()
    {
        _metrics.CertificatesIssued(Task("EC-P384", "acme", "Acme-Devices"), 100);

        var measurement = Assert.Single(_recorder.Of(Issued));
        Assert.Equal(100, measurement.Value);
        Assert.Equal("EC-P384", measurement.Tags[ApiMetrics.KeyAlgorithmTag]);
        Assert.Equal("acme", measurement.Tags[ApiMetrics.CertificateAuthorityTag]);
        Assert.Equal("acme-devices", measurement.Tags[ApiMetrics.SupplierTag]);
    }

    [Fact]
    public void IssuedCountWithoutSupplierOmitsTag()
    {
        _metrics.CertificatesIssued(Task("RSA-2048", "default", supplierId: null), 7);

        var measurement = Assert.Single(_recorder.Of(Issued));
        Assert.Equal(7, measurement.Value);
        Assert.Equal(
            [ApiMetrics.CertificateAuthorityTag, ApiMetrics.KeyAlgorithmTag],
            measurement.Tags.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ChunkDurationIsInSecondsWithOutcome()
    {
        _metrics.ChunkEnded(ChunkOutcomes.Duplicate, TimeSpan.FromMilliseconds(1500));

        var measurement = Assert.Single(_recorder.Of("bulkcerts.chunk.duration"));
        Assert.Equal(1.5, measurement.Value);
        Assert.Equal("duplicate", measurement.Tags[ApiMetrics.OutcomeTag]);
    }

    [Fact]
    public void QueueGaugesReportLastSampleOnly()
    {
        _recorder.Observe();
        Assert.Empty(_recorder.Of("bulkcerts.queue.depth"));

        _metrics.SetQueueSample(new QueueSample(Depth: 12, Pending: 3));
        _recorder.Observe();
        Assert.Equal(12, Assert.Single(_recorder.Of("bulkcerts.queue.depth")).Value);
        Assert.Equal(3, Assert.Single(_recorder.Of("bulkcerts.chunks.pending")).Value);

        _metrics.SetQueueSample(null);
        _recorder.Observe();
        Assert.Single(_recorder.Of("bulkcerts.queue.depth"));
        Assert.Single(_recorder.Of("bulkcerts.chunks.pending"));
    }

    [Fact]
    public void TaskCountersCountEachCall()
    {
        _metrics.TaskCreated();
        _metrics.TaskCreated();
        _metrics.TaskCompleted();
        _metrics.TaskFailed();

        Assert.Equal(2, _recorder.Of("bulkcerts.tasks.created").Sum(measurement => measurement.Value));
        Assert.Single(_recorder.Of("bulkcerts.tasks.completed"));
        Assert.Single(_recorder.Of("bulkcerts.tasks.failed"));
    }

    [Theory]
    [InlineData(10, 4, 6)]
    [InlineData(4, 4, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(3, 5, 0)]
    public void QueueDepthIsLengthLessPending(long length, long pending, long depth)
    {
        // Length and pending come from two commands, so a chunk acknowledged in between can make
        // pending larger than the length.
        var sample = QueueSample.FromStream(length, pending);

        Assert.Equal(depth, sample.Depth);
        Assert.Equal(pending, sample.Pending);
    }

    public void Dispose() => _recorder.Dispose();

    private static TaskRecord Task(string keyAlgorithm, string authority, string? supplierId) => new(
        TaskIds.New(),
        TaskStates.InProgress,
        BatchDate: 0,
        ChunkSize: 100,
        ChunksTotal: 1,
        ChunksPending: 1,
        authority,
        supplierId,
        new CertificateRequestSpec
        {
            Quantity = 100,
            CommonName = new NameTemplate(NameGenerator.Plain, string.Empty, "metrics", null),
            KeyAlgorithm = keyAlgorithm,
            DaysExpiry = 30,
        },
        Message: null,
        CertificatesIssued: 0);
}
