namespace BulkCerts.AppHost.Redis;

/// <summary>How the AppHost provides Redis, from the setting <c>Redis:Mode</c>.</summary>
public enum RedisMode
{
    /// <summary>
    /// An existing Redis when <c>ConnectionStrings:redis</c> is set. Otherwise a container when a
    /// container runtime responds (always, when publishing), and <c>redis-server</c> from PATH when none does.
    /// </summary>
    Auto,

    /// <summary>The Redis container image, through Docker.</summary>
    Container,

    /// <summary><c>redis-server</c> from PATH, keeping its data in the data folder.</summary>
    Executable,

    /// <summary>An existing Redis, reached with the connection string <c>ConnectionStrings:redis</c> as is.</summary>
    External,
}
