using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BulkCerts.AppHost;

internal static class ProjectResourceExtensions
{
    /// <summary>
    /// Passes every setting under <paramref name="section"/> of the AppHost's configuration to the
    /// project, so one appsettings file or one command line configures the whole app. Relative
    /// values of settings whose name ends in "Path" are resolved against the AppHost folder.
    /// Passphrases and keys go through secret parameters, which the dashboard masks.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithConfigurationSection(
        this IResourceBuilder<ProjectResource> project,
        string section)
    {
        var builder = project.ApplicationBuilder;
        foreach (var (key, value) in builder.Configuration.GetSection(section).AsEnumerable())
        {
            if (value is null)
            {
                continue;
            }

            var variable = key.Replace(":", "__", StringComparison.Ordinal);
            if (IsSecret(key))
            {
                // Several CertEngine resources share the section, and so its secret parameters.
                var parameterName = ParameterName(key);
                var parameter = builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == parameterName)
                    ?? builder.AddParameter(parameterName, value, secret: true).Resource;
                project.WithEnvironment(variable, parameter);
                continue;
            }

            var resolved = key.EndsWith("Path", StringComparison.Ordinal) && value.Length > 0
                ? Path.GetFullPath(value, builder.AppHostDirectory)
                : value;
            project.WithEnvironment(variable, resolved);
        }

        return project;
    }

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
    /// Gives the Api the SHA-256 of <paramref name="apiKey"/> as the API key <paramref name="name"/>,
    /// so the key itself never reaches the Api's configuration.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithApiKey(
        this IResourceBuilder<ProjectResource> project,
        string name,
        IResourceBuilder<ParameterResource> apiKey)
    {
        return project.WithEnvironment(async context =>
        {
            // A published app gets its keys from the deployment's own configuration.
            if (context.ExecutionContext.IsPublishMode)
            {
                return;
            }

            var value = await apiKey.Resource.GetValueAsync(context.CancellationToken) ?? string.Empty;
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value));
            context.EnvironmentVariables[$"BulkCerts__Auth__ApiKeys__{name}__Hash"] = Convert.ToHexStringLower(hash);
        });
    }

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
    /// thread pool from it.
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

        for (var i = 0; i < count; i++)
        {
            var core = ((index * count) + i) % Environment.ProcessorCount;
            project.WithEnvironment($"CertEngine__Cores__{i}", core.ToString(CultureInfo.InvariantCulture));
        }

        return project.WithEnvironment("DOTNET_PROCESSOR_COUNT", count.ToString(CultureInfo.InvariantCulture));
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
