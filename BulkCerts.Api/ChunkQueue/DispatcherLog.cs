namespace BulkCerts.Api.ChunkQueue;

internal static partial class DispatcherLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information,
        Message = "Chunk dispatcher {Consumer} started with {Workers} workers; " +
            "{Removed} idle consumers of earlier processes removed")]
    public static partial void DispatcherStarted(this ILogger logger, string consumer, int workers, int removed);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Chunk dispatcher {Consumer} stopped")]
    public static partial void DispatcherStopped(this ILogger logger, string consumer);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information,
        Message = "Chunk {ChunkId} of task {TaskId}: {Count} certificates, {Completion}")]
    public static partial void ChunkCompleted(
        this ILogger logger, string taskId, int chunkId, int count, Tasks.ChunkCompletion completion);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information,
        Message = "Chunk {ChunkId} of task {TaskId} skipped: the task is {Status}")]
    public static partial void ChunkSkipped(this ILogger logger, string taskId, int chunkId, string status);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning,
        Message = "Chunk {ChunkId} of task {TaskId} failed on attempt {Attempt} of {MaxAttempts}; retrying in {Delay}")]
    public static partial void ChunkAttemptFailed(
        this ILogger logger,
        Exception exception,
        string taskId,
        int chunkId,
        int attempt,
        int maxAttempts,
        TimeSpan delay);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error,
        Message = "Task {TaskId} failed at chunk {ChunkId}: {Reason}")]
    public static partial void TaskFailed(this ILogger logger, string taskId, int chunkId, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning,
        Message = "Dispatcher worker failed {Failures} times in a row; retrying")]
    public static partial void WorkerFailed(this ILogger logger, Exception exception, int failures);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning,
        Message = "Chunk queue entry {EntryId} is malformed; dropped")]
    public static partial void MalformedEntryDropped(this ILogger logger, string entryId);

    [LoggerMessage(EventId = 309, Level = LogLevel.Error, Message = "Chunk {ChunkId} of task {TaskId} failed")]
    public static partial void ChunkFailedUnexpectedly(
        this ILogger logger,
        Exception exception,
        string taskId,
        int chunkId);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "Renewing the claim on entry {EntryId} failed")]
    public static partial void ClaimRenewalFailed(this ILogger logger, Exception exception, string entryId);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information,
        Message = "Chunk {ChunkId} of task {TaskId} was put back in the queue because this dispatcher is stopping")]
    public static partial void ChunkReturned(this ILogger logger, string taskId, int chunkId);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning,
        Message = "Chunk {ChunkId} of task {TaskId} was taken over by another dispatcher or removed; " +
            "this one stops issuing it")]
    public static partial void ClaimLost(this ILogger logger, string taskId, int chunkId);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information,
        Message = "Chunk {ChunkId} of task {TaskId} stopped: the task is {Status}")]
    public static partial void ChunkAbandoned(this ILogger logger, string taskId, int chunkId, string status);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning,
        Message = "Putting chunk {ChunkId} of task {TaskId} back in the queue failed; " +
            "it is reclaimed after the claim timeout")]
    public static partial void ChunkReturnFailed(this ILogger logger, Exception exception, string taskId, int chunkId);

    [LoggerMessage(EventId = 314, Level = LogLevel.Warning,
        Message = "Reading or recording the state of chunk {ChunkId} of task {TaskId} failed; the chunk goes on")]
    public static partial void ChunkStateUnavailable(
        this ILogger logger,
        Exception exception,
        string taskId,
        int chunkId);
}
