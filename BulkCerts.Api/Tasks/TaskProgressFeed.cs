using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace BulkCerts.Api.Tasks;

/// <summary>
/// Follows a task's progress stream in Redis for the server-sent events endpoint and the gRPC
/// watch call: the task as it is now, then the task after each change, until it ends.
/// </summary>
public sealed class TaskProgressFeed(TaskStore tasks, TimeProvider clock, IHostApplicationLifetime lifetime)
{
    /// <summary>How long to wait before reading the stream again when it had nothing new.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    // Stream reads return nothing both for a quiet task and for a deleted one, so the record is
    // looked up after this long without news.
    private static readonly TimeSpan ExistenceCheckInterval = TimeSpan.FromSeconds(2);

    private const int ReadBatch = 100;

    /// <summary>
    /// Yields the task as it is now, unless <paramref name="lastEventId"/> names the last update a
    /// reconnecting watcher saw of a task still running, then one update per event until the task
    /// completes, fails or is deleted. Progress only grows, so an update that repeats what the first
    /// one showed is harmless. When the Api stops, the updates end early, so that the watcher
    /// reconnects, to another replica, rather than holding up the shutdown.
    /// </summary>
    public async IAsyncEnumerable<TaskUpdate> WatchAsync(
        TaskRecord task,
        string? lastEventId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RedisValue position;
        if (lastEventId is not null && !task.HasEnded && await tasks.HasEventAsync(task.TaskId, lastEventId))
        {
            position = lastEventId;
        }
        else
        {
            // A resumed watch whose id is not one of this task's events starts afresh. The id is
            // read before the record, so no event after the id can be older than the record.
            var newest = await tasks.GetLastEventIdAsync(task.TaskId);
            task = await tasks.GetAsync(task.TaskId) ?? task;
            position = newest ?? "0-0";
            yield return new TaskUpdate(position.ToString(), task, Deleted: false);
            if (task.HasEnded)
            {
                yield break;
            }
        }

        var quietSince = clock.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var events = await tasks.ReadEventsAsync(task.TaskId, position, ReadBatch);
            foreach (var change in events)
            {
                position = change.Id;
                task = change.ApplyTo(task);
                yield return new TaskUpdate(change.Id, task, Deleted: false);
                if (task.HasEnded)
                {
                    yield break;
                }
            }

            if (events.Count > 0)
            {
                quietSince = clock.GetTimestamp();
                continue;
            }

            if (clock.GetElapsedTime(quietSince) >= ExistenceCheckInterval)
            {
                // Nothing new for a while: the task may be gone, or may have ended in an event before
                // the position, which a resumed watch does not see.
                if (await tasks.GetAsync(task.TaskId) is not { } current)
                {
                    yield return new TaskUpdate(position.ToString(), task, Deleted: true);
                    yield break;
                }

                if (current.HasEnded)
                {
                    yield return new TaskUpdate(position.ToString(), current, Deleted: false);
                    yield break;
                }

                quietSince = clock.GetTimestamp();
            }

            if (!await WaitAsync(cancellationToken))
            {
                yield break;
            }
        }
    }

    /// <summary>Waits one poll interval; false when the Api is stopping.</summary>
    private async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(PollInterval, clock, wait.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>A task after a change, with the id of the event that made it; Deleted when the task is gone.</summary>
public sealed record TaskUpdate(string EventId, TaskRecord Task, bool Deleted);
