using System.Diagnostics;
using BulkCerts.Api.Telemetry;
using StackExchange.Redis;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// The Redis stream of chunks to issue. Each entry names a task and a chunk and carries the W3C
/// trace context of the request that created it.
/// </summary>
public static class ChunkQueueStream
{
    public static readonly RedisKey Key = "bulkcerts:chunks";
    public static readonly RedisValue ConsumerGroup = "dispatchers";

    /// <summary>Pub/sub channel that wakes idle dispatchers when chunks are queued.</summary>
    public static readonly RedisChannel NoticeChannel = RedisChannel.Literal("bulkcerts:chunks:queued");

    public const string TaskField = "task";
    public const string ChunkField = "chunk";
    public const string TraceParentField = "traceparent";
    public const string TraceStateField = "tracestate";

    /// <summary>Adds one entry per chunk to <paramref name="transaction"/>, then a notice.</summary>
    public static void Enqueue(ITransaction transaction, string taskId, int chunksTotal, ActivityContext traceContext)
    {
        for (var chunkId = 1; chunkId <= chunksTotal; chunkId++)
        {
            _ = transaction.StreamAddAsync(Key, CreateEntry(taskId, chunkId, traceContext));
        }

        _ = transaction.PublishAsync(NoticeChannel, taskId);
    }

    /// <summary>Returns the fields of the entry for one chunk.</summary>
    public static NameValueEntry[] CreateEntry(string taskId, int chunkId, ActivityContext traceContext) =>
        [new(TaskField, taskId), new(ChunkField, chunkId), .. TraceFields(traceContext)];

    public static ChunkMessage? Parse(StreamEntry entry)
    {
        var taskId = entry[TaskField];
        var chunk = entry[ChunkField];
        if (taskId.IsNullOrEmpty || !chunk.TryParse(out int chunkId) || chunkId < 1)
        {
            return null;
        }

        var traceContext = W3CTraceContext.Parse(entry[TraceParentField], entry[TraceStateField]);
        return new ChunkMessage(entry.Id, taskId.ToString(), chunkId, traceContext);
    }

    private static NameValueEntry[] TraceFields(ActivityContext context) => W3CTraceContext.Format(context) switch
    {
        (null, _) => [],
        (var traceParent, null) => [new(TraceParentField, traceParent)],
        var (traceParent, traceState) => [new(TraceParentField, traceParent), new(TraceStateField, traceState)],
    };
}

/// <summary>One queued chunk, as a dispatcher reads it.</summary>
public sealed record ChunkMessage(RedisValue EntryId, string TaskId, int ChunkId, ActivityContext TraceContext);
