using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// One dispatcher's view of the chunk stream as a member of the consumer group. StackExchange.Redis
/// has no blocking reads, so callers poll and wait for a notice in between.
/// </summary>
public sealed class ChunkQueueReader(IConnectionMultiplexer redis, IOptions<BulkCertsOptions> options)
{
    // XCLAIM alone would take an entry back from a dispatcher that took it over in the meantime.
    private static readonly LuaScript RenewScript = LuaScript.Prepare("""
        local pending = redis.call('XPENDING', @stream, @group, @entryId, @entryId, 1)
        if #pending == 0 or pending[1][2] ~= @consumer then return 0 end
        redis.call('XCLAIM', @stream, @group, @consumer, 0, @entryId, 'JUSTID')
        return 1
        """);

    private readonly IDatabase _database = redis.GetDatabase();

    /// <summary>Consumer name of this process, unique across restarts.</summary>
    public string ConsumerName { get; } =
        $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Creates the stream and the consumer group unless they exist.</summary>
    public async Task EnsureGroupAsync()
    {
        try
        {
            await _database.StreamCreateConsumerGroupAsync(
                ChunkQueueStream.Key,
                ChunkQueueStream.ConsumerGroup,
                StreamPosition.Beginning,
                createStream: true);
        }
        catch (RedisServerException exception)
            when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: another replica or an earlier run created it.
        }
    }

    /// <summary>
    /// Removes consumers of earlier processes that hold no entries and were idle for
    /// <paramref name="idleTime"/>: every process start adds a consumer to the group. Returns how
    /// many were removed.
    /// </summary>
    public async Task<int> RemoveIdleConsumersAsync(TimeSpan idleTime)
    {
        var removed = 0;
        var consumers = await _database.StreamConsumerInfoAsync(ChunkQueueStream.Key, ChunkQueueStream.ConsumerGroup);
        foreach (var consumer in consumers)
        {
            if (consumer.PendingMessageCount == 0
                && consumer.IdleTimeInMilliseconds > idleTime.TotalMilliseconds
                && consumer.Name != ConsumerName)
            {
                await _database.StreamDeleteConsumerAsync(
                    ChunkQueueStream.Key, ChunkQueueStream.ConsumerGroup, consumer.Name);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Takes over one entry that another consumer took but has not renewed within the claim
    /// timeout, or returns null.
    /// </summary>
    public async Task<StreamEntry?> ClaimAbandonedAsync()
    {
        var result = await _database.StreamAutoClaimAsync(
            ChunkQueueStream.Key,
            ChunkQueueStream.ConsumerGroup,
            ConsumerName,
            (long)options.Value.ChunkClaimTimeout.TotalMilliseconds,
            StreamPosition.Beginning,
            count: 1);

        return FirstOrNull(result.ClaimedEntries);
    }

    /// <summary>Takes one entry that no consumer has read yet, or returns null.</summary>
    public async Task<StreamEntry?> ReadNewAsync()
    {
        var entries = await _database.StreamReadGroupAsync(
            ChunkQueueStream.Key,
            ChunkQueueStream.ConsumerGroup,
            ConsumerName,
            StreamPosition.NewMessages,
            count: 1);

        return FirstOrNull(entries);
    }

    /// <summary>
    /// Resets the idle time of an entry this consumer holds, so no one else takes it. Returns false
    /// when the entry is no longer this consumer's: another dispatcher took it over, or it is gone.
    /// </summary>
    public async Task<bool> RenewClaimAsync(RedisValue entryId) =>
        (int)await _database.ScriptEvaluateAsync(RenewScript, new
        {
            stream = ChunkQueueStream.Key,
            group = ChunkQueueStream.ConsumerGroup,
            consumer = ConsumerName,
            entryId,
        }) == 1;

    /// <summary>
    /// Puts a chunk this consumer holds back at the end of the queue for any dispatcher to take at
    /// once, instead of after the claim timeout. Used when stopping.
    /// </summary>
    public async Task ReturnAsync(ChunkMessage message)
    {
        var transaction = _database.CreateTransaction();
        _ = transaction.StreamAddAsync(
            ChunkQueueStream.Key,
            ChunkQueueStream.CreateEntry(message.TaskId, message.ChunkId, message.TraceContext));
        _ = transaction.StreamAcknowledgeAsync(ChunkQueueStream.Key, ChunkQueueStream.ConsumerGroup, message.EntryId);
        _ = transaction.StreamDeleteAsync(ChunkQueueStream.Key, [message.EntryId]);
        _ = transaction.PublishAsync(ChunkQueueStream.NoticeChannel, message.TaskId);
        if (!await transaction.ExecuteAsync())
        {
            throw new RedisException(
                $"The transaction that returns chunk {message.ChunkId} of task {message.TaskId} was not committed.");
        }
    }

    // A default StreamEntry is not StreamEntry.Null, so test the id rather than IsNull.
    private static StreamEntry? FirstOrNull(StreamEntry[]? entries) =>
        entries?.FirstOrDefault(entry => !entry.Id.IsNullOrEmpty) is { Id.IsNullOrEmpty: false } entry ? entry : null;

    /// <summary>Acknowledges an entry and deletes it, so the stream holds only work to do.</summary>
    public async Task AcknowledgeAsync(RedisValue entryId)
    {
        await _database.StreamAcknowledgeAsync(ChunkQueueStream.Key, ChunkQueueStream.ConsumerGroup, entryId);
        await _database.StreamDeleteAsync(ChunkQueueStream.Key, [entryId]);
    }
}
