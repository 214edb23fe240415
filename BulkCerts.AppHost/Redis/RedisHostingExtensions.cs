using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BulkCerts.AppHost.Redis;

public static class RedisHostingExtensions
{
    /// <summary>
    /// Adds Redis as the setting <c>Redis:Mode</c> chooses. A container requires a password. In
    /// executable mode Redis binds to loopback and keeps an append-only file in
    /// <paramref name="dataPath"/>, synced on every write, so tasks survive a restart of the app or
    /// a crash of Redis.
    /// </summary>
    /// <exception cref="RedisSetupException">Neither a container runtime nor redis-server is available.</exception>
    public static IResourceBuilder<IResourceWithConnectionString> AddBulkCertsRedis(
        this IDistributedApplicationBuilder builder,
        string name,
        string dataPath)
    {
        var mode = ReadMode(builder.Configuration);
        if (mode == RedisMode.Auto)
        {
            mode = ContainerRuntime.IsAvailable() ? RedisMode.Container : RedisMode.Executable;
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
                $"Redis:Mode '{value}' is not valid; use auto, container or executable.");
        }

        return mode;
    }
}
