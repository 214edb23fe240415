namespace BulkCerts.AppHost.Redis;

/// <summary>
/// A <c>redis-server</c> process started from PATH, for machines without a container runtime.
/// Its connection string is <c>host:port</c>, the form StackExchange.Redis reads.
/// </summary>
public sealed class RedisServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
