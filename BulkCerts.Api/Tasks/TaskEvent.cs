using StackExchange.Redis;

namespace BulkCerts.Api.Tasks;

/// <summary>
/// One entry of a task's progress stream: the task's status and counts after a change. The task
/// record contains the same values, and the stream lets a watcher learn of each change in order.
/// </summary>
public sealed record TaskEvent(
    string Id,
    string Status,
    int ChunksPending,
    long CertificatesIssued,
    string? Message,
    long CertificatesRejected = 0)
{
    public const string StatusField = "status";
    public const string ChunksPendingField = "chunksPending";
    public const string CertificatesIssuedField = "certificatesIssued";
    public const string CertificatesRejectedField = "certificatesRejected";
    public const string MessageField = "message";

    public static TaskEvent Parse(StreamEntry entry)
    {
        var message = entry[MessageField];

        // Events written before the count existed lack it.
        var rejected = entry[CertificatesRejectedField];
        return new TaskEvent(
            entry.Id.ToString(),
            entry[StatusField].ToString(),
            (int)entry[ChunksPendingField],
            (long)entry[CertificatesIssuedField],
            message.IsNull ? null : message.ToString(),
            rejected.IsNull ? 0 : (long)rejected);
    }

    /// <summary>Returns whether <paramref name="value"/> has the form of a Redis stream entry id.</summary>
    public static bool IsEventId(string value)
    {
        var parts = value.Split('-');
        return parts.Length == 2
            && parts.All(part => part.Length is > 0 and <= 20 && part.All(char.IsAsciiDigit))
            && ulong.TryParse(parts[0], out _)
            && ulong.TryParse(parts[1], out _);
    }

    /// <summary>Returns the task as this event leaves it.</summary>
    public TaskRecord ApplyTo(TaskRecord task) => task with
    {
        Status = Status,
        ChunksPending = ChunksPending,
        CertificatesIssued = CertificatesIssued,
        CertificatesRejected = CertificatesRejected,
        Message = Message ?? task.Message,
    };
}
