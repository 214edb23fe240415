using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Registry;

public static class RegistryServiceExtensions
{
    /// <summary>Adds the certificate registry, its settings and the revocation lists.</summary>
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RegistryOptions>()
            .BindConfiguration(RegistryOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>();
        builder.Services.AddSingleton<RegistryStore>();
        builder.Services.AddSingleton<RegistryRequests>();
        builder.Services.AddSingleton<RevocationLists>();
        return builder;
    }
}
