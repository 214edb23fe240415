using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Issuance;

namespace BulkCerts.CertEngine;

public static class CertEngineServiceExtensions
{
    /// <summary>
    /// Adds the gRPC service, its health checks and reflection, the certificate authorities and
    /// the issuance limiter.
    /// </summary>
    public static IHostApplicationBuilder AddCertEngineServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CertEngineOptions>()
            .BindConfiguration(CertEngineOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<CertificateAuthorityStore>();
        builder.Services.AddSingleton<IssuanceLimiter>();

        builder.Services.AddGrpc(options => options.EnableDetailedErrors = builder.Environment.IsDevelopment());
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();

        return builder;
    }
}
