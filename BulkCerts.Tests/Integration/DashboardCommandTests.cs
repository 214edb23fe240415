using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using BulkCerts.AppHost;
using BulkCerts.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BulkCerts.Tests.Integration;

/// <summary>Runs the Api's dashboard commands through Aspire's command service, as the dashboard does.</summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed partial class DashboardCommandTests(BulkCertsAppFixture fixture)
{
    [Fact]
    public async Task SampleTaskCommandCreatesTask()
    {
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("api", SampleTaskCommand.Name);

        Assert.True(result.Success, result.Message);
        var taskId = TaskIdPattern().Match(result.Message ?? string.Empty).Value;
        Assert.True(taskId.Length > 0, $"No task id in the command's message: {result.Message}");
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(1));
        Assert.Equal("complete", status.GetProperty("status").GetString());
        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);
        Assert.Equal(10, TaskClient.ReadManifest(entries).Count);
        Assert.Contains(fixture.Logs.Lines, line =>
            line.Category.EndsWith(".Resources.api", StringComparison.Ordinal)
            && line.Text.Contains($"Created sample task {taskId}", StringComparison.Ordinal));
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex TaskIdPattern();
}
