using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BulkCerts.AppHost.Redis;

/// <summary>
/// Healthy when the server replies PONG to PING, so that services waiting for Redis start only
/// once it takes commands (it rejects them while it loads its append-only file).
/// </summary>
internal sealed class RedisPingHealthCheck(IResourceWithConnectionString resource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default)
    {
        var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
        if (connectionString?.Split(':') is not [var host, var portText] || !int.TryParse(portText, out var port))
        {
            return HealthCheckResult.Unhealthy($"Redis connection string '{connectionString}' is not host:port.");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
            await using var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);

            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
            return reply.StartsWith("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Redis replied '{reply.Trim()}' to PING.");
        }
        catch (SocketException exception)
        {
            return HealthCheckResult.Unhealthy($"Redis at {host}:{port} is not reachable.", exception);
        }
    }
}
