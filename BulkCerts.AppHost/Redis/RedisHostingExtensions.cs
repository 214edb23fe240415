using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BulkCerts.AppHost.Redis;

public static class RedisHostingExtensions
{
    /// <summary>
    /// Adds Redis as the setting <c>Redis:Mode</c> chooses. A given connection string
    /// (<c>ConnectionStrings:{name}</c>) is passed to the Api as is, and no Redis is started. A
    /// container requires a password. In executable mode Redis binds to loopback and keeps an
    /// append-only file in <paramref name="dataPath"/>, synced on every write, so tasks survive a
    /// restart of the app or a crash of Redis. That mode cannot be published.
    /// </summary>
    /// <exception cref="RedisSetupException">
    /// The settings contradict each other, the connection string is invalid, or neither a container
    /// runtime nor redis-server is available.
    /// </exception>
    public static IResourceBuilder<IResourceWithConnectionString> AddBulkCertsRedis(
        this IDistributedApplicationBuilder builder,
        string name,
        string dataPath)
    {
        var setting = $"ConnectionStrings:{name}";
        var connectionString = builder.Configuration.GetConnectionString(name);
        var publishing = builder.ExecutionContext.IsPublishMode;
        var mode = ChooseMode(ReadMode(builder.Configuration), setting, connectionString, publishing);

        if (mode == RedisMode.External)
        {
            return AddExternal(builder, name, setting, connectionString);
        }

        if (mode == RedisMode.Container)
        {
            // The container's port is published on the host, so it requires a password, kept with the
            // AppHost's user secrets.
            var generated = new GenerateParameterDefault { MinLength = 32, Special = false };
            var password = builder.AddParameter($"{name}-password", generated, secret: true, persist: true);
            return builder.AddRedis(name, password: password).WithDataVolume("bulkcerts-redis-data").WithPersistence();
        }

        var command = RedisServerLocator.FindOrInstall(builder.Configuration);
        Directory.CreateDirectory(dataPath);
        if (!OperatingSystem.IsWindows())
        {
            // The append-only file contains task records, so other users of the machine must not read it.
            File.SetUnixFileMode(dataPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var resource = new RedisServerResource(name, command, dataPath);
        var healthCheckKey = $"{name}-ping";
        builder.Services.AddHealthChecks().AddTypeActivatedCheck<RedisPingHealthCheck>(healthCheckKey, resource);

        return builder.AddResource(resource)
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--daemonize");
                context.Args.Add("no");
                context.Args.Add("--dir");
                context.Args.Add(dataPath);
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                // Every write reaches the disk before Redis acknowledges it, so an accepted task
                // survives even a killed Redis. Writes are one per task and one per chunk.
                context.Args.Add("--appendfsync");
                context.Args.Add("always");
                context.Args.Add("--save");
                context.Args.Add(string.Empty);
            })
            .WithHealthCheck(healthCheckKey);
    }

    private static RedisMode ReadMode(IConfiguration configuration)
    {
        var value = configuration["Redis:Mode"] ?? "auto";
        if (!Enum.TryParse<RedisMode>(value, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            throw new RedisSetupException(
                $"Redis:Mode '{value}' is not valid; use auto, container, executable or external.");
        }

        return mode;
    }

    /// <summary>Resolves <see cref="RedisMode.Auto"/> and rejects settings that contradict each other.</summary>
    private static RedisMode ChooseMode(RedisMode mode, string setting, string? connectionString, bool publishing)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        if (hasConnectionString && mode is RedisMode.Container or RedisMode.Executable)
        {
            throw new RedisSetupException(
                $"{setting} is set, but Redis:Mode is {mode.ToString().ToLowerInvariant()}. Set Redis:Mode " +
                $"to external (or auto) to use that Redis, or remove {setting} to let the AppHost start one.");
        }

        if (publishing && mode == RedisMode.Executable)
        {
            throw new RedisSetupException(
                "Redis:Mode executable cannot be published: it runs redis-server from this machine's PATH. " +
                $"Publish with Redis:Mode=container, or Redis:Mode=external to take {setting} from the deployment.");
        }

        return mode switch
        {
            RedisMode.Auto when hasConnectionString => RedisMode.External,
            RedisMode.Auto when publishing || ContainerRuntime.IsAvailable() => RedisMode.Container,
            RedisMode.Auto => RedisMode.Executable,
            _ => mode,
        };
    }

    /// <summary>
    /// Adds the connection string of an existing Redis. When run, it must be set and valid. A
    /// published app takes it from the deployment.
    /// </summary>
    private static IResourceBuilder<IResourceWithConnectionString> AddExternal(
        IDistributedApplicationBuilder builder,
        string name,
        string setting,
        string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (builder.ExecutionContext.IsPublishMode)
            {
                return builder.AddConnectionString(name);
            }

            throw new RedisSetupException(
                $"Redis:Mode is external, but {setting} is not set; set it to the address of your Redis, " +
                "such as redis.internal:6379,password=...,ssl=true, in the AppHost's user secrets or as the " +
                $"environment variable ConnectionStrings__{name}.");
        }

        var server = ExternalRedis.Describe(setting, connectionString);
        Console.WriteLine($"Redis: using the existing server {server} from {setting}; the AppHost starts no Redis.");
        return builder.AddConnectionString(name);
    }
}
