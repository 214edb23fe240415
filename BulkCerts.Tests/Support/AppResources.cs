using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BulkCerts.Tests.Support;

/// <summary>
/// Finds the processes behind the app's resources, and kills, stops and starts them, to inject
/// faults the way a crash or an operator would.
/// </summary>
internal static class AppResources
{
    private const string ProcessIdProperty = "executable.pid";

    /// <summary>Returns the current state of every instance (replica) of a resource.</summary>
    public static async Task<IReadOnlyList<ResourceEvent>> GetInstancesAsync(DistributedApplication app, string name)
    {
        // The watch first replays the latest state of every resource, then waits for changes.
        var instances = new Dictionary<string, ResourceEvent>();
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource.Name == name)
                {
                    instances[update.ResourceId] = update;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Replay finished.
        }

        Assert.True(instances.Count > 0, $"The app has no resource named {name}.");
        return [.. instances.Values.OrderBy(instance => instance.ResourceId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Kills the process of one resource instance with SIGKILL, as a crash would end it, and returns
    /// the id of the process the orchestrator started. A project runs under <c>dotnet run</c>, so for
    /// a project the killed process is the child of that one: the app itself.
    /// </summary>
    public static int Kill(ResourceEvent instance)
    {
        var pid = ProcessId(instance);
        Assert.True(
            pid is not null,
            $"{instance.ResourceId} has no process id; its state is {instance.Snapshot.State?.Text}.");

        using var process = Process.GetProcessById(AppProcessId(instance));
        process.Kill();
        process.WaitForExit(TimeSpan.FromSeconds(10));
        return pid.Value;
    }

    /// <summary>
    /// Returns the id of the app process of a resource instance: the child of <c>dotnet run</c> for a
    /// project, the process the orchestrator started for anything else.
    /// </summary>
    public static int AppProcessId(ResourceEvent instance)
    {
        var pid = ProcessId(instance);
        Assert.True(
            pid is not null,
            $"{instance.ResourceId} has no process id; its state is {instance.Snapshot.State?.Text}.");
        return ChildProcessIds(pid.Value).FirstOrDefault(pid.Value);
    }

    /// <summary>Returns the ids of the processes whose parent is <paramref name="parentId"/>, from /proc.</summary>
    private static List<int> ChildProcessIds(int parentId)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var id))
            {
                continue;
            }

            try
            {
                // The fields after the command name, which is in parentheses and may contain spaces,
                // start with state and ppid.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parentId)
                {
                    children.Add(id);
                }
            }
            catch (IOException)
            {
                // The process ended while the list was read.
            }
        }

        return children;
    }

    private static int? ProcessId(ResourceEvent instance) =>
        instance.Snapshot.Properties.FirstOrDefault(property => property.Name == ProcessIdProperty)?.Value as int?;

    /// <summary>
    /// Waits until the AppHost has started a killed instance again: the instance is healthy with a
    /// process other than <paramref name="killedProcessId"/>.
    /// </summary>
    public static async Task WaitForRestartAsync(DistributedApplication app, string resourceId, int killedProcessId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.ResourceId == resourceId
                    && update.Snapshot.HealthStatus == HealthStatus.Healthy
                    && update.Snapshot.State?.Text == KnownResourceStates.Running
                    && ProcessId(update) is { } pid && pid != killedProcessId)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The AppHost did not start {resourceId} again within 2 minutes of killing it.");
        }
    }

    public static async Task ExecuteCommandAsync(DistributedApplication app, string resourceId, string command)
    {
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resourceId, command);
        Assert.True(result.Success, $"{command} on {resourceId} failed: {result.Message}");
    }

    /// <summary>Waits until every instance of a resource is running and healthy.</summary>
    public static async Task WaitForHealthyAsync(
        DistributedApplication app,
        string name,
        CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var expected = app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Single(resource => resource.Name == name)
            .TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;

        var healthy = new Dictionary<string, bool>();
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.Resource.Name != name)
                {
                    continue;
                }

                healthy[update.ResourceId] = update.Snapshot.State?.Text == KnownResourceStates.Running
                    && update.Snapshot.HealthStatus == HealthStatus.Healthy;
                if (healthy.Count(entry => entry.Value) >= expected)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"{name} did not become healthy within 2 minutes.");
        }
    }
}
