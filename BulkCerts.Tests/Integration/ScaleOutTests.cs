using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// The replicated app runs each CertEngine instance on a core of its own and spreads the chunks of
/// one task over them.
/// </summary>
[Collection(ReplicatedAppCollection.Name)]
public sealed class ScaleOutTests(ReplicatedAppFixture fixture)
{
    private static readonly string[] Engines = ["certengine", "certengine-2"];

    [Fact]
    public async Task ChunksSpreadOverEngineInstances()
    {
        const int Quantity = 200;
        var before = Engines.ToDictionary(engine => engine, IssuanceCount);

        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            $$$"""{"quantity": {{{Quantity}}}, "certInfo": {"commonName": "`spread-`0000${increment}", "keyAlgorithm": "EC-P256"}}""");
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());

        // Ten chunks of 20 certificates: each instance must have issued a fair share of them. Console
        // lines reach the AppHost a little after they are written.
        var issued = Engines.ToDictionary(engine => engine, engine => IssuanceCount(engine) - before[engine]);
        for (var wait = 0; wait < 50 && issued.Values.Sum() < 10; wait++)
        {
            await Task.Delay(200);
            issued = Engines.ToDictionary(engine => engine, engine => IssuanceCount(engine) - before[engine]);
        }

        Assert.True(issued.Values.Sum() >= 10, $"chunks issued per instance: {string.Join(", ", issued)}");
        Assert.All(Engines, engine => Assert.True(
            issued[engine] >= 3, $"chunks issued per instance: {string.Join(", ", issued)}"));
    }

    [Fact]
    public async Task EachEngineRunsOnItsOwnCore()
    {
        var cores = new List<string>();
        foreach (var engine in Engines)
        {
            var instance = Assert.Single(await AppResources.GetInstancesAsync(fixture.App, engine));
            var processId = AppResources.AppProcessId(instance);
            var threadCores = Directory.EnumerateDirectories($"/proc/{processId}/task")
                .Select(thread => File.ReadLines(Path.Combine(thread, "status"))
                    .Single(line => line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                    .Split(':')[1].Trim())
                .Distinct()
                .ToList();

            // Every thread, including those the runtime started before the engine pinned itself.
            cores.Add(Assert.Single(threadCores));
        }

        Assert.Equal(["0", "1"], cores.Order());
    }

    /// <summary>Counts the chunks an engine instance has started, from its log.</summary>
    private int IssuanceCount(string engine) => fixture.Logs.Lines.Count(line =>
        line.Category.EndsWith($".Resources.{engine}", StringComparison.Ordinal)
        && line.Text.Contains("certificates from index", StringComparison.Ordinal)
        && line.Text.Contains("Issuing", StringComparison.Ordinal));
}
