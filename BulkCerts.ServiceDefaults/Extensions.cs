using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Adds what every BulkCerts service shares: OpenTelemetry, health checks, service discovery
/// and resilient HTTP clients.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("BulkCerts.*"))
            .WithTracing(tracing => tracing
                .SetSampler(UntracedRedisSampler.ParentBased())
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("BulkCerts.*")

                // Without its own span, a gRPC call's HTTP span names a parent that is never exported.
                .AddSource(GrpcClientSpans.SourceName)
                .AddProcessor(new GrpcClientSpans())
                .AddAspNetCoreInstrumentation(options =>
                {
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath);
                    options.EnrichWithHttpRequest = RedactQueryValues;
                })
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Replaces each value in the span's query string with "Redacted", because a value can be a
    /// credential. Without this, the request spans of OpenTelemetry.Instrumentation.AspNetCore 1.21
    /// carried the signature of signed download URLs in <c>url.query</c>.
    /// </summary>
    private static void RedactQueryValues(Activity activity, HttpRequest request)
    {
        if (request.QueryString.HasValue)
        {
            activity.SetTag("url.query", string.Join('&', request.Query.Keys.Select(name => $"{name}=Redacted")));
        }
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check must pass) and <c>/alive</c> (the process responds).
    /// Both are anonymous, exempt from rate limits, and reveal no more than a status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Orchestrators probe health without credentials, so the endpoints take GET and HEAD only and
        // return no data beyond the status. A busy client must not make the app look unhealthy, so
        // probes are never rate-limited.
        var probeMethods = new HttpMethodMetadata(["GET", "HEAD"]);
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous().DisableRateLimiting().WithMetadata(probeMethods);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
        }).AllowAnonymous().DisableRateLimiting().WithMetadata(probeMethods);

        return app;
    }
}
