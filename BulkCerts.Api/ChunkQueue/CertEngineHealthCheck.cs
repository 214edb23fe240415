using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Reports Degraded when the CertEngine does not respond to its gRPC health check. The Api still
/// accepts tasks then, and their chunks wait in the queue, so it is not Unhealthy.
/// </summary>
internal sealed class CertEngineHealthCheck(Health.HealthClient client) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await client.CheckAsync(
                new HealthCheckRequest(),
                deadline: DateTime.UtcNow + Timeout,
                cancellationToken: cancellationToken);

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
