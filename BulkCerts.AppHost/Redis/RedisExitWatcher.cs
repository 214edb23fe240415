using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BulkCerts.AppHost.Redis;

/// <summary>
/// Stops the app when the Redis process fails or exits: every service waits for Redis, so without
/// this the app would wait forever and print nothing.
/// </summary>
internal sealed class RedisExitWatcher(
    string resourceName,
    ResourceNotificationService notifications,
    IHostApplicationLifetime lifetime,
    ILogger<RedisExitWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var update in notifications.WatchAsync(stoppingToken))
        {
            if (update.Resource.Name != resourceName)
            {
                continue;
            }

            var state = update.Snapshot.State?.Text;
            if (state == KnownResourceStates.FailedToStart || state == KnownResourceStates.Exited
                || state == KnownResourceStates.Finished)
            {
                logger.LogCritical(
                    "Redis ({Resource}) is {State} with exit code {ExitCode}; stopping. Its console log in the " +
                    "dashboard says why (a common cause is a data folder that is not writable)",
                    resourceName,
                    state,
                    update.Snapshot.ExitCode);
                lifetime.StopApplication();
                return;
            }
        }
    }
}
