using BulkCerts.Api.Authorities;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Downloads;
using BulkCerts.Api.Http;
using BulkCerts.Api.Security;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.Api.Telemetry;
using BulkCerts.CertEngine.V1;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api;

public static class ApiServiceExtensions
{
    /// <summary>The connection name of Redis, as the AppHost names the resource.</summary>
    public const string RedisConnectionName = "redis";


    /// <summary>
    /// Adds the task store, the downloads and their signed URLs, the chunk queue and its dispatcher,
    /// the CertEngine client and the problem-details error responses.
    /// </summary>
    public static IHostApplicationBuilder AddApiServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BulkCertsOptions>()
            .BindConfiguration(BulkCertsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BulkCertsOptions>, BulkCertsOptionsValidator>();

        builder.AddRedisClient(RedisConnectionName);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TaskStore>();
        builder.Services.AddSingleton<IdempotencyKeys>();
        builder.Services.AddSingleton<SupplierDirectory>();
        builder.Services.AddSingleton<CertificateAuthorityCatalog>();
        builder.Services.AddSingleton<ResultProtector>();
        builder.Services.AddSingleton<ZipDownload>();
        builder.Services.AddOptions<SignedUrlOptions>()
            .BindConfiguration(SignedUrlOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SignedUrlOptions>, SignedUrlOptionsValidator>();
        builder.Services.AddSingleton<ChunkUrlSigner>();
        builder.Services.AddSingleton<ChunkUrlIssuer>();
        builder.Services.AddSingleton<TaskProgressFeed>();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<ChunkQueueReader>();
        builder.Services.AddSingleton<ChunkIssuer>();
        builder.Services.AddHostedService<ChunkDispatcher>();
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddHostedService<ChunkQueueSampler>();

        // Only the list is read here; the whole section is checked, with messages, when the Api starts.
        var engines = new BulkCertsOptions
        {
            CertEngines = builder.Configuration.GetSection($"{BulkCertsOptions.SectionName}:CertEngines")
                .Get<List<string>>() ?? [],
        };
        foreach (var engine in engines.CertEngineNames)
        {
            builder.AddCertEngineClient<CertificateEngine.CertificateEngineClient>(engine, engine);
            builder.AddCertEngineClient<Health.HealthClient>(CertEngines.HealthClientName(engine), engine);
        }

        builder.Services.AddSingleton<CertEngines>();
        builder.Services.AddSingleton<CertEngineHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<CertEngineHealthCheck>("certengine");

        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            // NOTE: Kestrel rejects a request over these limits before any middleware runs, and so does it
            // with an overlong or malformed request line (a control byte, or a NUL in the path even as
            // %00). The client then gets the status code with an empty body.
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestLimitsMiddleware.KestrelMaxHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = RequestLimitsMiddleware.KestrelMaxHeaderCount;
        });

        builder.Services.AddExceptionHandler<StorageUnavailableHandler>();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Every error body carries "message", the field clients of the original service read.
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("message", problem.Detail ?? DescribeStatus(context.HttpContext, problem));
        });
        builder.Services.AddSingleton<IProblemDetailsWriter, JsonProblemDetailsWriter>();

        return builder;
    }

    /// <summary>
    /// Adds a gRPC client of the CertEngine without the standard resilience handler, because the
    /// chunk dispatcher retries whole chunks itself. A second retry layer would multiply the
    /// attempts and hold a failing chunk for the handler's 30-second total timeout on each.
    /// </summary>
    private static void AddCertEngineClient<TClient>(this IHostApplicationBuilder builder, string clientName, string engine)
        where TClient : class
    {
        // The address of the engine's HTTP/2 gRPC endpoint, resolved by service discovery. A name that
        // makes no address fails the settings check at start, with the setting's name, before any call.
        var hasAddress = Uri.TryCreate($"http://_grpc.{engine}", UriKind.Absolute, out var address);

        // RemoveAllResilienceHandlers is experimental, and the only way to drop the handler that the
        // service defaults add to every client.
#pragma warning disable EXTEXP0001
        builder.Services.AddGrpcClient<TClient>(clientName, client => client.Address = hasAddress ? address : null)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            })
            .AddHttpMessageHandler(services => new CertEngineCredentialHandler(
                services.GetRequiredService<IOptions<BulkCertsOptions>>()))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    /// <summary>Explains the errors that no endpoint writes itself: unknown paths, methods and failures.</summary>
    private static string? DescribeStatus(HttpContext context, Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var request = $"{context.Request.Method} {context.Request.Path}";
        return problem.Status switch
        {
            StatusCodes.Status404NotFound =>
                $"No endpoint matches {request}. The API serves POST /certificates, " +
                "POST /supplier/{supplierId}/certificates, GET and DELETE /certificates/{taskId}, " +
                "GET /certificates/{taskId}/task, GET /certificates/{taskId}/events, " +
                "GET /certificates/{taskId}/chunks/{chunkId} with a signed URL, " +
                "GET /certificateauthorities, GET /certificateauthorities/{alias} and its /crl, " +
                "GET /registry/certificates/{fingerprint} and POST /registry/certificates/{fingerprint}/revoke; " +
                "GET /openapi/v1.json describes each.",
            StatusCodes.Status405MethodNotAllowed =>
                $"{request} is not allowed; the Allow header lists the methods this path accepts.",
            StatusCodes.Status500InternalServerError =>
                $"{request} failed with an internal error; the Api log has the details under trace id " +
                $"{System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier}.",
            _ => problem.Title,
        };
    }
}
