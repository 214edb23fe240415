using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Reports Degraded when the CertEngine does not respond to its gRPC health check. The Api still
/// accepts tasks then, and their chunks wait in the queue, so it is not Unhealthy. The health
/// endpoints need no credentials, so one check serves every probe for a second instead of each
/// probe calling the CertEngine.
/// </summary>
internal sealed class CertEngineHealthCheck(Health.HealthClient client, TimeProvider clock) : IHealthCheck
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
                _latest = CheckEngineAsync();
                _latestStart = now;
            }

            return _latest.WaitAsync(cancellationToken);
        }
    }

    private async Task<HealthCheckResult> CheckEngineAsync()
    {
        try
        {
            var response = await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + Timeout);

            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded($"The CertEngine reports {response.Status}.");
        }
        catch (RpcException exception)
        {
            return HealthCheckResult.Degraded(
                $"The CertEngine is unavailable ({exception.StatusCode}); chunks wait in the queue until it returns.");
        }
    }
}
