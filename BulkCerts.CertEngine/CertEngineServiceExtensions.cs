using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Grpc;
using BulkCerts.CertEngine.Issuance;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine;

public static partial class CertEngineServiceExtensions
{
    /// <summary>
    /// Adds the gRPC service behind the service credential check, its health checks and
    /// reflection, the certificate authorities, the issuance limiter and the RSA key pool.
    /// </summary>
    public static IHostApplicationBuilder AddCertEngineServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CertEngineOptions>()
            .BindConfiguration(CertEngineOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CertEngineOptions>, CertEngineOptionsValidator>();
        builder.Services.AddOptions<KeyPoolOptions>()
            .BindConfiguration(KeyPoolOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KeyPoolOptions>, KeyPoolOptionsValidator>();

        builder.Services.AddSingleton<CertificateAuthorityStore>();
        builder.Services.AddSingleton<IssuanceLimiter>();
        builder.Services.AddSingleton<RsaKeyPool>();
        builder.Services.AddHostedService<KeyPoolFiller>();

        builder.Services.AddGrpc(options =>
        {
            options.EnableDetailedErrors = builder.Environment.IsDevelopment();
            options.Interceptors.Add<ServiceCredentialInterceptor>();
        });
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();

        return builder;
    }

    /// <summary>
    /// Pins the process to <c>CertEngine:Cores</c> when set. Returns false, after logging why, when
    /// that fails, so the engine does not run on more cores than it was given.
    /// </summary>
    public static bool PinToConfiguredCores(this WebApplication app)
    {
        // The binder leaves out list entries that are not numbers, so check what was written.
        var setting = $"{CertEngineOptions.SectionName}:Cores";
        foreach (var entry in app.Configuration.GetSection(setting).GetChildren())
        {
            if (!int.TryParse(entry.Value, out _))
            {
                LogPinFailed(app.Logger, $"{setting}:{entry.Key}", $"'{entry.Value}' is not a core number; use 0 or more.");
                return false;
            }
        }

        var cores = app.Services.GetRequiredService<IOptions<CertEngineOptions>>().Value.Cores;
        if (cores.Count == 0)
        {
            return true;
        }

        try
        {
            ProcessorCores.Pin(cores);
            LogPinned(app.Logger, string.Join(", ", cores));
            return true;
        }
        catch (Exception exception) when (exception is PlatformNotSupportedException or InvalidOperationException)
        {
            LogPinFailed(app.Logger, $"{CertEngineOptions.SectionName}:Cores", exception.Message);
            return false;
        }
    }

    /// <summary>Logs a warning at start-up when calls without the service credential are accepted.</summary>
    public static WebApplication WarnIfAnonymousCallers(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<CertEngineOptions>>().Value.AllowAnonymousCallers)
        {
            LogAnonymousCallers(app.Logger, $"{CertEngineOptions.SectionName}:AllowAnonymousCallers");
        }

        return app;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message =
        "The service credential is off ({Setting} is true): anyone who reaches this engine can have " +
        "certificates signed by its CAs. Use this only on an isolated machine.")]
    private static partial void LogAnonymousCallers(ILogger logger, string setting);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Running on processor cores {Cores}")]
    private static partial void LogPinned(ILogger logger, string cores);

    [LoggerMessage(EventId = 12, Level = LogLevel.Critical, Message = "Cannot apply {Setting}: {Reason}")]
    private static partial void LogPinFailed(ILogger logger, string setting, string reason);
}
