using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// The replicated app runs each CertEngine instance on a core of its own and spreads the chunks of
/// one task over them. Its Api replicas share what signed URLs need.
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

    [Fact]
    public async Task EveryApiReplicaAcceptsSignedUrls()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 30, "certInfo": {"commonName": "replica-url", "keyAlgorithm": "EC-P256"}}""");
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
        var path = $"/certificates/{taskId}?downloadType=signedUrl";
        using var response = await fixture.Api.SendAsync(TaskClient.JsonRequest(HttpMethod.Get, path, null));
        var content = await response.Content.ReadAsStringAsync();
        var urls = System.Text.Json.JsonSerializer.Deserialize<List<string>>(content)!;

        // Each replica is asked directly at its own address, past the proxy that spreads requests.
        var addresses = (await AppResources.GetInstancesAsync(fixture.App, "api")).Select(ReplicaAddress).ToList();
        Assert.Equal(2, addresses.Distinct().Count());
        using var anonymous = new HttpClient();
        foreach (var address in addresses)
        {
            foreach (var url in urls)
            {
                var direct = address + new Uri(url).PathAndQuery;
                using var chunk = await anonymous.GetAsync(direct);
                Assert.True(chunk.StatusCode == System.Net.HttpStatusCode.OK, $"{direct}: {(int)chunk.StatusCode}");
            }
        }
    }

    /// <summary>
    /// Returns the HTTP address that one Api replica listens on, from its process environment: the
    /// Kestrel endpoint "http" that the orchestrator sets, or else the first URL of ASPNETCORE_URLS.
    /// </summary>
    private static string ReplicaAddress(Aspire.Hosting.ApplicationModel.ResourceEvent replica)
    {
        var environment = File.ReadAllText($"/proc/{AppResources.AppProcessId(replica)}/environ")
            .Split('\0')
            .Select(variable => variable.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1]);
        var url = environment.GetValueOrDefault("Kestrel__Endpoints__http__Url")
            ?? environment.GetValueOrDefault("ASPNETCORE_URLS")?.Split(';')[0];
        Assert.True(url is not null, $"{replica.ResourceId} has no HTTP address in its environment");
        return url.TrimEnd('/');
    }

    /// <summary>Counts the chunks an engine instance has started, from its log.</summary>
    private int IssuanceCount(string engine) => fixture.Logs.Lines.Count(line =>
        line.Category.EndsWith($".Resources.{engine}", StringComparison.Ordinal)
        && line.Text.Contains("certificates from index", StringComparison.Ordinal)
        && line.Text.Contains("Issuing", StringComparison.Ordinal));
}
