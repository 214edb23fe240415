using System.Diagnostics;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>
/// The whole app, started from the AppHost with Redis as a local executable, in a data folder of
/// its own that is deleted when the app stops.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly DistributedApplication _app;

    private BenchApp(DistributedApplication app, string dataPath, string apiKey)
    {
        _app = app;
        DataPath = dataPath;
        Api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = app.GetEndpoint("api", "http"),
            Timeout = TimeSpan.FromMinutes(10),
        };
        Api.DefaultRequestHeaders.Add("x-api-key", apiKey);
    }

    public HttpClient Api { get; }

    public string DataPath { get; }

    /// <summary>Starts the app with the given AppHost settings added to the benchmark's own.</summary>
    public static async Task<BenchApp> StartAsync(string dataPath, IEnumerable<string> settings)
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
            [
                "Redis:Mode=executable",
                $"DataPath={dataPath}",
                $"Parameters:api-key={apiKey}",
                // The driver itself sends bursts of requests and runs many tasks.
                "BulkCerts:RateLimit:RequestsPerMinute=600000",
                "BulkCerts:RateLimit:Burst=10000",
                "BulkCerts:RateLimit:MaxRunningTasks=1000",
                .. settings,
            ],
            cancellation.Token);
        // The resources' own output would bury the figures; keep their warnings and errors.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter($"{builder.Environment.ApplicationName}.Resources", LogLevel.Warning));

        var app = await builder.BuildAsync(cancellation.Token);
        await app.StartAsync(cancellation.Token);
        await WaitForHealthyAsync(app, cancellation.Token);
        return new BenchApp(app, dataPath, apiKey);
    }

    /// <summary>Returns the process ids of every instance of the resources whose names start with a prefix.</summary>
    public async Task<IReadOnlyList<int>> ProcessIdsAsync(string namePrefix)
    {
        var ids = new Dictionary<string, int>();
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var update in _app.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource.Name.StartsWith(namePrefix, StringComparison.Ordinal)
                    && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is int pid)
                {
                    ids[update.ResourceId] = pid;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The replay of the current state is complete.
        }

        // A project runs under "dotnet run"; the app is that process's child, when it has one.
        return [.. ids.Values.Select(pid => ProcessTree.Children(pid).FirstOrDefault(pid))];
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Waits until every instance of every project resource is running and healthy.</summary>
    private static async Task WaitForHealthyAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var expected = model.Resources.OfType<ProjectResource>()
            .Sum(project => project.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1);

        var healthy = new Dictionary<string, bool>();
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.Resource is not ProjectResource)
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
}

/// <summary>Reads process relations and memory from /proc.</summary>
internal static class ProcessTree
{
    public static List<int> Children(int parentId)
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
                // After the command name, which is in parentheses and may hold spaces: state, then ppid.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parentId)
                {
                    children.Add(id);
                }
            }
            catch (IOException)
            {
                // The process ended while its entry was read.
            }
        }

        return children;
    }

    /// <summary>Processor time the process has used, user and kernel, or zero when it is gone.</summary>
    public static TimeSpan ProcessorTime(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Resident set size in bytes, or 0 when the process is gone.</summary>
    public static long ResidentBytes(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.WorkingSet64;
        }
        catch (ArgumentException)
        {
            return 0;
        }
    }
}
