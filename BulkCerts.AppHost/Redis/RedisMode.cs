namespace BulkCerts.AppHost.Redis;

/// <summary>How the AppHost runs Redis, from the setting <c>Redis:Mode</c>.</summary>
public enum RedisMode
{
    /// <summary>A container when a container runtime responds, otherwise <c>redis-server</c> from PATH.</summary>
    Auto,

    /// <summary>The Redis container image, through Docker.</summary>
    Container,

    /// <summary><c>redis-server</c> from PATH, keeping its data in the data folder.</summary>
    Executable,
}
