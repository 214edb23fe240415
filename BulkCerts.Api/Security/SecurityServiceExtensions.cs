using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Security;

public static partial class SecurityServiceExtensions
{
    private const string SelectorScheme = "ApiKeyOrBearer";

    /// <summary>
    /// Adds API key and bearer token authentication, a policy that requires one of them on every
    /// endpoint not marked anonymous, the request rate limits and the running-task cap.
    /// </summary>
    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<RunningTaskLimit>();

        var auth = builder.Configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        // An x-api-key header wins; otherwise a bearer token goes to the JWT handler.
        var authentication = builder.Services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, displayName: null, options => options.ForwardDefaultSelector = context =>
                auth.Jwt.Enabled
                    && !context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    && context.Request.Headers.Authorization.ToString()
                        .StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        if (auth.Jwt.Enabled)
        {
            authentication.AddJwtBearer(options => JwtBearerSetup.Configure(options, auth.Jwt));
        }

        builder.Services.AddAuthorization(options =>
        {
            if (!auth.AllowAnonymous)
            {
                options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            }
        });

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>, ApiKeyStore>((options, limits, keys) =>
                CredentialRateLimiter.Configure(options, limits.Value, keys));

        return builder;
    }

    /// <summary>Authenticates, then limits the rate per credential, then requires credentials.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        // Read once the app has started, because the settings are validated while it starts.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.AllowAnonymous)
            {
                LogAnonymousAccess(app.Logger, $"{AuthOptions.SectionName}:AllowAnonymous");
            }
        });

        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message =
        "Authentication is off ({Setting} is true): anyone who reaches this Api can download private keys. " +
        "Use this only on an isolated machine.")]
    private static partial void LogAnonymousAccess(ILogger logger, string setting);
}
