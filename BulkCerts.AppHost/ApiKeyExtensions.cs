using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace BulkCerts.AppHost;

internal static class ApiKeyExtensions
{
    /// <summary>
    /// Gives the Api the SHA-256 of an API key named <paramref name="name"/>, so the key itself never
    /// reaches the Api's configuration. When run, the AppHost generates the key on first start as the
    /// secret parameter <c>api-key</c>, keeps it in its user secrets, and hashes it. A published
    /// manifest declares the secret parameter <c>api-key-hash</c> instead, whose value the deployment
    /// supplies, unless the AppHost's settings configure API keys, bearer tokens or anonymous access.
    /// <paramref name="apiKey"/> is the generated key's parameter, or null when publishing.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithApiKey(
        this IResourceBuilder<ProjectResource> project,
        string name,
        out IResourceBuilder<ParameterResource>? apiKey)
    {
        var builder = project.ApplicationBuilder;
        var variable = $"BulkCerts__Auth__ApiKeys__{name}__Hash";
        apiKey = null;
        if (builder.ExecutionContext.IsPublishMode)
        {
            return HasCredentialSettings(builder.Configuration)
                ? project
                : project.WithEnvironment(variable, builder.AddParameter("api-key-hash", secret: true));
        }

        var generated = new GenerateParameterDefault { MinLength = 40, Special = false };
        var parameter = builder.AddParameter("api-key", generated, secret: true, persist: true);
        apiKey = parameter;
        return project.WithEnvironment(async context =>
        {
            var value = await parameter.Resource.GetValueAsync(context.CancellationToken) ?? string.Empty;
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
            context.EnvironmentVariables[variable] = Convert.ToHexStringLower(hash);
        });
    }

    private static bool HasCredentialSettings(IConfiguration configuration) =>
        configuration.GetSection("BulkCerts:Auth:ApiKeys").GetChildren().Any()
        || !string.IsNullOrEmpty(configuration["BulkCerts:Auth:Jwt:Issuer"])
        || configuration.GetValue<bool>("BulkCerts:Auth:AllowAnonymous");
}
