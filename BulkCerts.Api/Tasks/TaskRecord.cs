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
    string? Message)
{
    public ChunkPlan Plan => new(Request.Quantity, ChunkSize);

    /// <summary>The trace of the request that created the task, or the default context when it had none.</summary>
    public ActivityContext TraceContext { get; init; }
}
