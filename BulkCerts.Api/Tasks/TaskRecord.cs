using System.Diagnostics;
using BulkCerts.Api.Certificates;

namespace BulkCerts.Api.Tasks;

/// <summary>A task as stored in its Redis hash.</summary>
public sealed record TaskRecord(
    string TaskId,
    string Status,
    long BatchDate,
    int ChunkSize,
    int ChunksTotal,
    int ChunksPending,
    string CertificateAuthority,
    string? SupplierId,
    CertificateRequestSpec Request,
    string? Message,
    long CertificatesIssued,
    long CertificatesRejected = 0)
{
    public ChunkPlan Plan => new(Request.Quantity, ChunkSize);

    /// <summary>True once the task is complete or failed; its status changes no more.</summary>
    public bool HasEnded => Status is TaskStates.Complete or TaskStates.Failed;

    /// <summary>
    /// Certificates issued and certification requests rejected so far as a percentage of the
    /// quantity, rounded down to one decimal.
    /// </summary>
    public double PercentComplete => Status == TaskStates.Complete
        ? 100
        : Math.Floor(1000.0 * (CertificatesIssued + CertificatesRejected) / Math.Max(1, Request.Quantity)) / 10;

    /// <summary>The trace of the request that created the task, or the default context when it had none.</summary>
    public ActivityContext TraceContext { get; init; }
}
