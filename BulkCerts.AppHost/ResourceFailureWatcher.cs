using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BulkCerts.AppHost;

/// <summary>
/// Reports a resource that fails or exits, with the end of its log, on the AppHost console. One
/// that fails before it was ever healthy stops the app: everything waiting for it would wait
/// forever, with the reason visible only in the dashboard.
/// </summary>
internal sealed partial class ResourceFailureWatcher(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceFailureWatcher> logger)
{
    private const int LogLinesShown = 15;

    private readonly HashSet<string> _healthy = [];
    private readonly HashSet<string> _reported = [];

    /// <summary>
    /// Starts watching when the app starts. Hosted services start only after the orchestrator has
    /// started every resource, which never happens when a resource fails, so this uses the event.
    /// </summary>
    public static void Register(IDistributedApplicationBuilder builder) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((startEvent, cancellationToken) =>
        {
            var watcher = ActivatorUtilities.CreateInstance<ResourceFailureWatcher>(startEvent.Services);
            var lifetime = startEvent.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = Task.Run(() => watcher.WatchAsync(lifetime.ApplicationStopping));
            return Task.CompletedTask;
        });

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WatchResourcesAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // The app is stopping.
        }
    }

    private async Task WatchResourcesAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            var id = update.ResourceId;
            if (update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                _healthy.Add(id);
            }

            var state = update.Snapshot.State?.Text;
            var failed = state == KnownResourceStates.FailedToStart
                || (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished)
                    && update.Snapshot.ExitCode is not 0;
            if (!failed || lifetime.ApplicationStopping.IsCancellationRequested || !_reported.Add(id))
            {
                continue;
            }

            var tail = await ReadLogTailAsync(id, stoppingToken);
            if (_healthy.Contains(id))
            {
                LogExited(logger, id, state, update.Snapshot.ExitCode, tail);
                continue;
            }

            LogFailedBeforeHealthy(logger, id, state, update.Snapshot.ExitCode, tail);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }
    }

    /// <summary>Returns the last lines the resource wrote, from the backlog the logger service keeps.</summary>
    private async Task<string> ReadLogTailAsync(string resourceId, CancellationToken stoppingToken)
    {
        var lines = new Queue<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var batch in resourceLogs.WatchAsync(resourceId).WithCancellation(timeout.Token))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue(line.Content);
                    if (lines.Count > LogLinesShown)
                    {
                        lines.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The backlog has been read.
        }

        return lines.Count == 0 ? "(no output)" : string.Join(Environment.NewLine, lines);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical,
        Message = "{Resource} is {State} (exit code {ExitCode}) before it became healthy, so the app stops. " +
            "Its last output:\n{Output}")]
    private static partial void LogFailedBeforeHealthy(
        ILogger logger, string resource, string? state, int? exitCode, string output);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "{Resource} is {State} (exit code {ExitCode}); restart it from the dashboard. " +
            "Its last output:\n{Output}")]
    private static partial void LogExited(ILogger logger, string resource, string? state, int? exitCode, string output);
}
