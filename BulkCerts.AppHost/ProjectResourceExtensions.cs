using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BulkCerts.AppHost;

internal static class ProjectResourceExtensions
{
    /// <summary>
    /// Passes every setting under <paramref name="section"/> of the AppHost's configuration to the
    /// project, so one appsettings file or one command line configures the whole app. When run,
    /// relative values of settings whose name ends in "Path" are resolved against the AppHost folder.
    /// A published app gets them as written, since they name files on the target. Passphrases and
    /// keys go through secret parameters, which the dashboard masks and the manifest leaves out.
    /// Settings that only the AppHost reads, such as <c>CertEngine:Replicas</c>, stay out.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfigurationSection(
        this IResourceBuilder<ProjectResource> project,
        string section)
    {
        var builder = project.ApplicationBuilder;
        foreach (var (key, value) in builder.Configuration.GetSection(section).AsEnumerable())
        {
            if (value is null || AppHostSettingNames.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var variable = key.Replace(":", "__", StringComparison.Ordinal);
            if (IsSecret(key))
            {
                project.WithEnvironment(variable, SecretParameter(builder, key, value));
                continue;
            }

            var resolved = key.EndsWith("Path", StringComparison.Ordinal) && value.Length > 0
                && builder.ExecutionContext.IsRunMode
                    ? Path.GetFullPath(value, builder.AppHostDirectory)
                    : value;
            project.WithEnvironment(variable, resolved);
        }

        return project;
    }

    /// <summary>
    /// Makes a published app ask its deployment for the secret setting <paramref name="key"/>, through
    /// a parameter, when the AppHost's settings do not contain it. When run, the project does without.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSecretFromDeployment(
        this IResourceBuilder<ProjectResource> project,
        string key)
    {
        var builder = project.ApplicationBuilder;
        if (builder.ExecutionContext.IsRunMode || !string.IsNullOrEmpty(builder.Configuration[key]))
        {
            return project;
        }

        var variable = key.Replace(":", "__", StringComparison.Ordinal);
        return project.WithEnvironment(variable, SecretParameter(builder, key, value: null));
    }

    /// <summary>
    /// Returns the secret parameter of a setting, adding it on first use. Several CertEngine resources
    /// share a section, and so its secret parameters. Without <paramref name="value"/> the parameter
    /// takes its value from the deployment.
    /// </summary>
    private static IResourceBuilder<ParameterResource> SecretParameter(
        IDistributedApplicationBuilder builder,
        string key,
        string? value)
    {
        var name = ParameterName(key);
        if (builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } existing)
        {
            return builder.CreateResourceBuilder(existing);
        }

        return value is null
            ? builder.AddParameter(name, secret: true)
            : builder.AddParameter(name, value, secret: true);
    }

    /// <summary>Settings that size and place the processes, which the AppHost applies itself.</summary>
    private static readonly string[] AppHostSettingNames =
        ["CertEngine:Replicas", "CertEngine:CoresPerReplica", "Api:Replicas"];

    /// <summary>
    /// Returns a resource name for a setting: lowercase letters, digits and hyphens, at most 64
    /// characters, as Aspire requires.
    /// </summary>
    private static string ParameterName(string key)
    {
        var name = new string([.. key.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
        if (name.Length <= 64)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(key)))[..8];
        return $"{name[..55]}-{hash}";
    }

    private static bool IsSecret(string key) =>
        SecretSettingNames.Any(name => key.Contains(name, StringComparison.OrdinalIgnoreCase));

    // "SigningKey" also matches the JWT SigningKeys list.
    private static readonly string[] SecretSettingNames =
        ["Passphrase", "EncryptionKey", "Credential", "SigningKey"];

    /// <summary>
    /// Logs the project's HTTP address once it is healthy, so the console shows where to send requests.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReadyMessage(this IResourceBuilder<ProjectResource> project)
    {
        project.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(project.Resource, (readyEvent, _) =>
        {
            var logger = readyEvent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BulkCerts.AppHost");
            var url = project.GetEndpoint("http").Url;
            if (project.ApplicationBuilder.Configuration.GetValue<bool>("BulkCerts:Auth:AllowAnonymous"))
            {
                logger.LogWarning(
                    "{Resource} is ready at {Url} without authentication (BulkCerts:Auth:AllowAnonymous): anyone " +
                    "who reaches it can download private keys",
                    project.Resource.Name,
                    url);
                return Task.CompletedTask;
            }

            logger.LogInformation(
                "{Resource} is ready at {Url}; send the api-key parameter in the x-api-key header. " +
                "Find it in the dashboard under Parameters, or with: {Command}",
                project.Resource.Name,
                url,
                "dotnet user-secrets list --project BulkCerts.AppHost");
            return Task.CompletedTask;
        });

        return project;
    }

    /// <summary>
    /// Limits the project to <paramref name="count"/> processor cores, the <paramref name="index"/>-th
    /// such set of the machine's cores, so that replicas limited this way run on different cores
    /// while there are enough. DOTNET_PROCESSOR_COUNT passes the count to the runtime, which sizes its
    /// thread pool from it. A published app gets only that count.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithProcessorCores(
        this IResourceBuilder<ProjectResource> project,
        int count,
        int index)
    {
        if (count <= 0)
        {
            return project;
        }

        // Core numbers of this machine mean nothing on the target, where the orchestrator sets the CPU limit.
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            PinToCores(project, count, index);
        }

        return project.WithEnvironment("DOTNET_PROCESSOR_COUNT", count.ToString(CultureInfo.InvariantCulture));
    }

    private static void PinToCores(IResourceBuilder<ProjectResource> project, int count, int index)
    {
        for (var i = 0; i < count; i++)
        {
            var core = ((index * count) + i) % Environment.ProcessorCount;
            project.WithEnvironment($"CertEngine__Cores__{i}", core.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Moves the fixed ports from the project's Kestrel settings up by two for each earlier instance:
    /// 5090 and 5091, then 5092 and 5093, and so on. Each instance of the project then has addresses
    /// of its own instead of sharing those of the first.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithEndpointPortsAfter(
        this IResourceBuilder<ProjectResource> project,
        int earlierInstances)
    {
        if (earlierInstances == 0 || !project.Resource.TryGetEndpoints(out var endpoints))
        {
            return project;
        }

        foreach (var endpoint in endpoints.Where(endpoint => endpoint.Port is not null))
        {
            endpoint.Port += 2 * earlierInstances;
        }

        return project;
    }

    /// <summary>
    /// Removes the in-memory retry of the OTLP exporter that Aspire turns on. At shutdown the
    /// dashboard's receiver is already gone, so the retry delays every stop for 13 to 15 seconds
    /// until the orchestrator kills the process. Without it a stop takes about 2 seconds.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutOtlpRetry(this IResourceBuilder<ProjectResource> project) =>
        project.WithAnnotation(new EnvironmentCallbackAnnotation(context =>
            context.EnvironmentVariables.Remove("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY")));
}
