using System.Diagnostics;
using BulkCerts.Tests.Support;
using Xunit.Abstractions;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
[Trait("Category", "Soak")]
public sealed class SoakTests(BulkCertsAppFixture fixture, ITestOutputHelper output)
{
    private const int TaskCount = 20;
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Twenty tasks of different sizes and key algorithms at once; each must end complete with
    /// every certificate issued exactly once.
    /// </summary>
    [SoakFact]
    public async Task TwentyConcurrentTasksIssueExactly()
    {
        var clock = Stopwatch.StartNew();
        var requests = Enumerable.Range(1, TaskCount).Select(number => number % 4 == 0
            ? (Quantity: 150, Algorithm: "RSA-2048")
            : (Quantity: 400 + 97 * number, Algorithm: "EC-P256")).ToList();

        var taskIds = await Task.WhenAll(requests.Select((request, index) => TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            $$$"""
            {"quantity": {{{request.Quantity}}},
             "certInfo": {"commonName": "`soak{{{index}}}-`00000${increment}",
                          "keyAlgorithm": "{{{request.Algorithm}}}"}}
            """)));

        var ends = await Task.WhenAll(
            taskIds.Select(taskId => TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout)));
        var issued = clock.Elapsed;
        Assert.All(ends, end => Assert.True(
            end.Status.GetProperty("status").GetString() == "complete",
            end.Status.ToString()));

        using var redis = await fixture.ConnectRedisAsync();
        for (var index = 0; index < TaskCount; index++)
        {
            await IssuedCertificates.AssertEachIssuedOnceAsync(
                fixture.Api, taskIds[index], requests[index].Quantity, fixture.DefaultCaCertificatePath);
            await ChunkQueueProbe.AssertDrainedAsync(redis.GetDatabase(), taskIds[index], TimeSpan.FromSeconds(10));
        }

        var total = requests.Sum(request => request.Quantity);
        output.WriteLine(
            $"{TaskCount} tasks, {total} certificates issued in {issued.TotalSeconds:F1} s " +
            $"({total / issued.TotalSeconds:F0} per second); checked in {(clock.Elapsed - issued).TotalSeconds:F1} s");
    }
}
