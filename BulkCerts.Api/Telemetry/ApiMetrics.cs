using System.Diagnostics;
using System.Diagnostics.Metrics;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Tasks;

namespace BulkCerts.Api.Telemetry;

/// <summary>
/// The Api's own metrics, in the meter <c>BulkCerts.Api</c>: certificates issued, chunk durations,
/// task counts and the state of the chunk queue.
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "BulkCerts.Api";

    public const string KeyAlgorithmTag = "bulkcerts.key_algorithm";
    public const string CertificateAuthorityTag = "bulkcerts.certificate_authority";
    public const string SupplierTag = "bulkcerts.supplier_id";
    public const string OutcomeTag = "bulkcerts.chunk.outcome";

    // Estimates: a chunk of 100 EC keys takes tens of milliseconds, and one of 100 RSA-4096 keys about
    // a minute on two cores.
    private static readonly double[] ChunkDurationBuckets =
        [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _certificatesIssued;
    private readonly Histogram<double> _chunkDuration;
    private readonly Counter<long> _tasksCreated;
    private readonly Counter<long> _tasksCompleted;
    private readonly Counter<long> _tasksFailed;
    private volatile QueueSample? _queueSample;

    public ApiMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _certificatesIssued = meter.CreateCounter<long>(
            "bulkcerts.certificates.issued",
            "{certificate}",
            "Certificates issued and stored; a chunk that two dispatchers finish counts once");
        _chunkDuration = meter.CreateHistogram(
            "bulkcerts.chunk.duration",
            "s",
            "Time a dispatcher spent on one chunk, from taking it from the queue to acknowledging or leaving it",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = ChunkDurationBuckets });
        _tasksCreated = meter.CreateCounter<long>("bulkcerts.tasks.created", "{task}", "Tasks accepted");
        _tasksCompleted = meter.CreateCounter<long>(
            "bulkcerts.tasks.completed", "{task}", "Tasks whose last chunk was stored");
        _tasksFailed = meter.CreateCounter<long>("bulkcerts.tasks.failed", "{task}", "Tasks that failed");
        meter.CreateObservableGauge(
            "bulkcerts.queue.depth",
            () => Observe(sample => sample.Depth),
            "{chunk}",
            "Chunks in the queue that no dispatcher has taken yet, as last sampled");
        meter.CreateObservableGauge(
            "bulkcerts.chunks.pending",
            () => Observe(sample => sample.Pending),
            "{chunk}",
            "Chunks that a dispatcher has taken and not yet acknowledged, as last sampled");
    }

    /// <summary>Counts the certificates of a chunk that this dispatcher stored.</summary>
    public void CertificatesIssued(TaskRecord task, int count)
    {
        var tags = new TagList
        {
            // The keys of signed certification requests are the devices', of any accepted algorithm.
            { KeyAlgorithmTag, task.Request.SignsRequests ? "CSR" : task.Request.KeyAlgorithm },
            { CertificateAuthorityTag, task.CertificateAuthority },
        };
        if (task.SupplierId is not null)
        {
            // Supplier ids are case-insensitive, so one supplier makes one series however clients spell it.
            tags.Add(SupplierTag, task.SupplierId.ToLowerInvariant());
        }

        _certificatesIssued.Add(count, tags);
    }

    /// <summary>
    /// Records how long a dispatcher spent on a chunk, tagged with how it ended, one of <see cref="ChunkOutcomes"/>.
    /// </summary>
    public void ChunkEnded(string outcome, TimeSpan duration) =>
        _chunkDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>(OutcomeTag, outcome));

    public void TaskCreated() => _tasksCreated.Add(1);

    public void TaskCompleted() => _tasksCompleted.Add(1);

    public void TaskFailed() => _tasksFailed.Add(1);

    /// <summary>
    /// Stores the latest sample of the chunk queue for the gauges, or null when sampling failed, so
    /// the gauges report nothing rather than an old value.
    /// </summary>
    public void SetQueueSample(QueueSample? sample) => _queueSample = sample;

    private IEnumerable<Measurement<long>> Observe(Func<QueueSample, long> value) =>
        _queueSample is { } sample ? [new Measurement<long>(value(sample))] : [];
}

/// <summary>The values of <see cref="ApiMetrics.OutcomeTag"/>: how a dispatcher's work on a chunk ended.</summary>
public static class ChunkOutcomes
{
    /// <summary>This dispatcher stored the chunk's certificates.</summary>
    public const string Stored = "stored";

    /// <summary>Another dispatcher had stored the chunk already, so this one discarded its certificates.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>The chunk failed its task: rejected by the CertEngine, out of attempts, or an internal error.</summary>
    public const string Failed = "failed";

    /// <summary>The task had failed, completed or was deleted before or while the chunk ran.</summary>
    public const string Skipped = "skipped";

    /// <summary>The Api was stopping, so the chunk went back to the queue.</summary>
    public const string Returned = "returned";

    /// <summary>Another dispatcher took the chunk over after this one's claim lapsed.</summary>
    public const string ClaimLost = "claim_lost";

    /// <summary>An error left the chunk pending, so another dispatcher takes it after the claim timeout.</summary>
    public const string Error = "error";
}
