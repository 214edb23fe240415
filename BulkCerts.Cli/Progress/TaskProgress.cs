using BulkCerts.Cli.Api;

namespace BulkCerts.Cli.Progress;

/// <summary>
/// How far a task has come: a fraction from 0 to 1, and the certificates issued out of the total
/// when the total is known.
/// </summary>
public readonly record struct TaskProgress(string Status, double Fraction, long? Issued, long? Total)
{
    /// <summary>
    /// Reads progress from a status body. The body's <c>certificatesIssued</c>, <c>quantity</c> and
    /// <c>percentComplete</c> are used when present. Otherwise the fraction is the share of complete
    /// chunks and the count that share of <paramref name="requestedQuantity"/>, an estimate, because
    /// chunks are issued whole.
    /// </summary>
    public static TaskProgress From(TaskStatusBody status, long? requestedQuantity)
    {
        var total = status.Quantity ?? requestedQuantity;
        double fraction;
        if (status.Status == TaskStatusBody.Complete)
        {
            fraction = 1;
        }
        else if (status.PercentComplete is { } percent)
        {
            fraction = percent / 100;
        }
        else if (status.CertificatesIssued is { } issued && status.Quantity is > 0)
        {
            fraction = (double)issued / status.Quantity.Value;
        }
        else
        {
            fraction = status.ChunksTotal > 0
                ? (double)(status.ChunksTotal - status.ChunksPending) / status.ChunksTotal
                : 0;
        }

        fraction = Math.Clamp(fraction, 0, 1);
        var count = status.CertificatesIssued ?? (total is { } known ? (long)Math.Round(fraction * known) : null);
        return new TaskProgress(status.Status, fraction, count, total);
    }
}
