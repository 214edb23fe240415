using BulkCerts.Api.ChunkQueue;
using StackExchange.Redis;

namespace BulkCerts.Tests.Support;

/// <summary>Reads the chunk queue in Redis, to check that a task leaves no work behind.</summary>
internal static class ChunkQueueProbe
{
    /// <summary>Returns how many queue entries, and how many of them taken but unacknowledged, name the task.</summary>
    public static async Task<(int Queued, int Pending)> CountAsync(IDatabase database, string taskId)
    {
        var entries = await database.StreamRangeAsync(ChunkQueueStream.Key);
        var ids = entries
            .Where(entry => entry[ChunkQueueStream.TaskField] == taskId)
            .Select(entry => entry.Id)
            .ToHashSet();
        var pending = await database.StreamPendingMessagesAsync(
            ChunkQueueStream.Key, ChunkQueueStream.ConsumerGroup, 10_000, RedisValue.Null);
        return (ids.Count, pending.Count(message => ids.Contains(message.MessageId)));
    }

    /// <summary>Waits until no entry names the task, and fails with the counts if some remain.</summary>
    public static async Task AssertDrainedAsync(IDatabase database, string taskId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var counts = await CountAsync(database, taskId);
        while (counts != (0, 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            counts = await CountAsync(database, taskId);
        }

        Assert.True(
            counts == (0, 0),
            $"{counts.Queued} queue entries of task {taskId} remain, {counts.Pending} of them pending.");
    }
}
