using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BulkCerts.AppHost;

/// <summary>
/// Watches the resources and reports a failure with the end of the resource's log on the AppHost
/// console. One that fails before it was ever healthy stops the app: everything waiting for it
/// would wait forever, with the reason visible only in the dashboard. One that crashes after it
/// was healthy (exits with a code other than 0) is started again, after a delay that doubles with
/// each crash in a row, when <c>Supervisor:RestartCrashed</c> is true, as it is by default.
/// A resource stopped from the dashboard, or by a SIGTERM, exits with code 0 and stays stopped;
/// that is logged as a warning.
/// </summary>
internal sealed partial class ResourceFailureWatcher(
    ResourceNotificationService notifications,
    ResourceLoggerService resourceLogs,
    ResourceCommandService commands,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILogger<ResourceFailureWatcher> logger)
{
    private const int LogLinesShown = 15;
    // Short enough that a CertEngine crashing a few times in a row is back before the Api runs out
    // of attempts at its chunks (2 + 4 + 8 + 16 s of back-off by default).
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(10);

    /// <summary>Crashes further apart than this do not count as in a row.</summary>
    private static readonly TimeSpan CrashWindow = TimeSpan.FromMinutes(1);

    private readonly HashSet<string> _healthy = [];
    private readonly HashSet<string> _handled = [];
    private readonly Dictionary<string, (int Count, DateTimeOffset Last)> _crashes = [];

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

    private bool RestartCrashed => configuration.GetValue("Supervisor:RestartCrashed", true);

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
            var state = update.Snapshot.State?.Text;
            if (update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                _healthy.Add(id);
            }

            if (state == KnownResourceStates.Running || state == KnownResourceStates.Starting)
            {
                _handled.Remove(id);
                continue;
            }

            var ended = state == KnownResourceStates.Exited || state == KnownResourceStates.Finished;
            var failed = state == KnownResourceStates.FailedToStart || ended && update.Snapshot.ExitCode is not 0;
            if (!ended && !failed || lifetime.ApplicationStopping.IsCancellationRequested || !_handled.Add(id))
            {
                continue;
            }

            if (!failed)
            {
                LogStopped(logger, id);
                continue;
            }

            var tail = await ReadLogTailAsync(id, stoppingToken);
            if (!_healthy.Contains(id))
            {
                LogFailedBeforeHealthy(logger, id, state, update.Snapshot.ExitCode, tail);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }

            if (!RestartCrashed)
            {
                LogExited(logger, id, state, update.Snapshot.ExitCode, tail);
                continue;
            }

            var delay = NextRestartDelay(id);
            LogRestarting(logger, id, state, update.Snapshot.ExitCode, delay.TotalSeconds, tail);
            _ = RestartAsync(id, delay, stoppingToken);
        }
    }

    private TimeSpan NextRestartDelay(string resourceId)
    {
        var now = DateTimeOffset.UtcNow;
        var count = _crashes.TryGetValue(resourceId, out var crashes) && now - crashes.Last < CrashWindow
            ? crashes.Count + 1
            : 1;
        _crashes[resourceId] = (count, now);
        var seconds = Math.Min(MaxRestartDelay.TotalSeconds, Math.Pow(2, count - 1));
        return TimeSpan.FromSeconds(seconds);
    }

    private async Task RestartAsync(string resourceId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            var result = await commands.ExecuteCommandAsync(
                resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                LogRestartFailed(logger, resourceId, result.Message ?? "no reason given");
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping.
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            LogRestartFailed(logger, resourceId, exception.Message);
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

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "{Resource} is {State} (exit code {ExitCode}); starting it again in {DelaySeconds} s. " +
            "Its last output:\n{Output}")]
    private static partial void LogRestarting(
        ILogger logger, string resource, string? state, int? exitCode, double delaySeconds, string output);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "{Resource} stopped with exit code 0 and stays stopped until it is started from the dashboard " +
            "or the app is run again")]
    private static partial void LogStopped(ILogger logger, string resource);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "Starting {Resource} again failed: {Reason}; start it from the dashboard")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string reason);
}
