using Aspire.Hosting.ApplicationModel;
using BulkCerts.AppHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BulkCerts.Tests.Unit;

public sealed class SampleTaskCommandTests
{
    [Fact]
    public void RunningHealthyApiEnablesCommand()
    {
        var state = SampleTaskCommand.StateFor(KnownResourceStates.Running, HealthStatus.Healthy);

        Assert.Equal(ResourceCommandState.Enabled, state);
    }

    [Theory]
    [InlineData("Running", HealthStatus.Unhealthy)]
    [InlineData("Running", null)]
    [InlineData("Starting", HealthStatus.Healthy)]
    [InlineData("Exited", HealthStatus.Healthy)]
    [InlineData("Waiting", null)]
    [InlineData(null, null)]
    public void NotReadyApiDisablesCommand(string? state, HealthStatus? health)
    {
        Assert.Equal(ResourceCommandState.Disabled, SampleTaskCommand.StateFor(state, health));
    }

    [Fact]
    public void BodyAsksForTenEcCertificates()
    {
        using var body = System.Text.Json.JsonDocument.Parse(SampleTaskCommand.Body);

        Assert.Equal(10, body.RootElement.GetProperty("quantity").GetInt32());
        Assert.Equal("EC-P256", body.RootElement.GetProperty("certInfo").GetProperty("keyAlgorithm").GetString());
    }
}
