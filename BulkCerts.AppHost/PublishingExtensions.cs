using Microsoft.Extensions.Configuration;

namespace BulkCerts.AppHost;

/// <summary>What differs between running the app on this machine and publishing it for another.</summary>
internal static class PublishingExtensions
{
    /// <summary>
    /// Sets the project's data folder setting <paramref name="variable"/> to <paramref name="path"/>
    /// when run. A published app keeps the project's own setting, since the folder exists only here.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLocalDataPath(
        this IResourceBuilder<ProjectResource> project,
        string variable,
        string path) =>
        project.ApplicationBuilder.ExecutionContext.IsRunMode ? project.WithEnvironment(variable, path) : project;

    /// <summary>
    /// Removes the https endpoint that Aspire adds to every published project on the port of its
    /// first http endpoint. The CertEngine and the Api serve plain HTTP only, so a deployment would
    /// expose that port twice, once as https.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutPublishedHttps(
        this IResourceBuilder<ProjectResource> project)
    {
        var publishing = project.ApplicationBuilder.ExecutionContext.IsPublishMode;
        if (publishing && project.Resource.TryGetEndpoints(out var endpoints))
        {
            foreach (var endpoint in endpoints.Where(endpoint => endpoint.UriScheme == "https").ToList())
            {
                project.Resource.Annotations.Remove(endpoint);
            }
        }

        return project;
    }

    /// <summary>
    /// Warns, when publishing, that without a configured <c>default</c> CA each CertEngine creates a
    /// development CA of its own at start, so replicas would sign with different CAs.
    /// </summary>
    public static void WarnIfNoDefaultAuthority(IDistributedApplicationBuilder builder)
    {
        const string Setting = "CertEngine:CertificateAuthorities:default";
        if (builder.ExecutionContext.IsPublishMode && !builder.Configuration.GetSection(Setting).GetChildren().Any())
        {
            Console.WriteLine(
                $"Warning: {Setting} is not set, so each published CertEngine creates its own development CA " +
                $"when it starts. Set {Setting}:CertificatePath and :PrivateKeyPath (or :Pkcs12Path) to files " +
                "that the deployment mounts into every CertEngine.");
        }
    }
}
