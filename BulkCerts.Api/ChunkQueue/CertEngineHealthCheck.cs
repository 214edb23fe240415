using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Reports Degraded when a CertEngine instance does not respond to its gRPC health check. The Api
/// still accepts tasks then, and their chunks go to the other instances or wait in the queue, so it
/// is not Unhealthy. The health endpoints need no credentials, so one check serves every probe for
/// a second instead of each probe calling the CertEngine.
/// </summary>
internal sealed class CertEngineHealthCheck(CertEngines engines, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Task<HealthCheckResult>? _latest;
    private DateTimeOffset _latestStart;

    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (_latest is null || now - _latestStart >= ReuseFor)
            {
                // Not tied to one probe's cancellation, because other probes may await the same check.
                _latest = CheckEnginesAsync();
                _latestStart = now;
            }

            return _latest.WaitAsync(cancellationToken);
        }
    }

    private async Task<HealthCheckResult> CheckEnginesAsync()
    {
        var problems = (await Task.WhenAll(engines.All.Select(CheckEngineAsync))).OfType<string>().ToList();
        if (problems.Count == 0)
        {
            return HealthCheckResult.Healthy();
        }

        var consequence = problems.Count == engines.All.Count
            ? "chunks wait in the queue until it returns"
            : "chunks go to the other instances";
        return HealthCheckResult.Degraded($"{string.Join(" ", problems)} Meanwhile {consequence}.");
    }

    /// <summary>Returns why an instance is not serving, or null when it is.</summary>
    private static async Task<string?> CheckEngineAsync(CertEngines.Instance engine)
    {
        try
        {
            var response = await engine.Health.CheckAsync(
                new HealthCheckRequest(),
                deadline: DateTime.UtcNow + Timeout);

            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? null
                : $"The CertEngine {engine.Name} reports {response.Status}.";
        }
        catch (RpcException exception)
        {
            return $"The CertEngine {engine.Name} is unavailable ({exception.StatusCode}).";
        }
    }
}
