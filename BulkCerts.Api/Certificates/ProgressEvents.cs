using System.Text;
using System.Text.Json;
using BulkCerts.Api.Tasks;

namespace BulkCerts.Api.Certificates;

/// <summary>Writes task updates in the server-sent events format.</summary>
public static class ProgressEvents
{
    public const string ProgressEvent = "progress";
    public const string DeletedEvent = "deleted";

    /// <summary>
    /// A comment line sent after this long without an event, so that proxies and clients do not
    /// take a slow chunk for a dead connection.
    /// </summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public static async Task WriteAsync(IAsyncEnumerable<TaskUpdate> updates, Stream output, CancellationToken cancellationToken)
    {
        try
        {
            // Sends the headers at once: the first event of a resumed watch may be minutes away.
            await output.FlushAsync(cancellationToken);
            await using var enumerator = updates.GetAsyncEnumerator(cancellationToken);
            var next = enumerator.MoveNextAsync().AsTask();
            while (true)
            {
                // Waits for the next update, writing a keep-alive comment each time the wait is long.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var finished = await Task.WhenAny(next, Task.Delay(KeepAliveInterval, wait.Token));
                await wait.CancelAsync();
                if (finished != next)
                {
                    await output.WriteAsync(KeepAlive, cancellationToken);
                    await output.FlushAsync(cancellationToken);
                    continue;
                }

                if (!await next)
                {
                    return;
                }

                await output.WriteAsync(Format(enumerator.Current), cancellationToken);
                await output.FlushAsync(cancellationToken);
                next = enumerator.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>Returns one event: its id, its name and the status body as a single data line.</summary>
    public static byte[] Format(TaskUpdate update)
    {
        var name = update.Deleted ? DeletedEvent : ProgressEvent;
        var data = update.Deleted
            ? JsonSerializer.Serialize(
                new { taskId = update.Task.TaskId, message = $"Task {update.Task.TaskId} was deleted." },
                StoreJson.Options)
            : JsonSerializer.Serialize(TaskStatusResponse.From(update.Task), StoreJson.Options);
        return Encoding.UTF8.GetBytes($"id: {update.EventId}\nevent: {name}\ndata: {data}\n\n");
    }
}
