using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Security;

/// <summary>
/// Authenticates the <c>x-api-key</c> header, the header that API gateways in front of the original
/// service checked, against <see cref="ApiKeyStore"/>.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IOptions<AuthOptions> authOptions) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "x-api-key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count != 1)
        {
            return Task.FromResult(AuthenticateResult.Fail(
                $"The request has {values.Count} {HeaderName} headers; send exactly one key."));
        }

        if (string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.Fail($"The {HeaderName} header is empty; send the key in it."));
        }

        if (keys.Find(values[0]!) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail(
                $"The key in the {HeaderName} header is not valid; check it, or ask the operator for a key."));
        }

        var name = $"{ApiKeyStore.CredentialPrefix}{key.Name}";
        var identity = Credential.CreateIdentity(name, key.Options.Suppliers, SchemeName);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var message = result.Failure?.Message ?? DescribeMissingCredential(Context, authOptions.Value);
        await AuthProblems.WriteAsync(
            Context, StatusCodes.Status401Unauthorized, message, $"{SchemeName} header=\"{HeaderName}\"");
    }

    public static string DescribeMissingCredential(HttpContext context, AuthOptions options)
    {
        var request = $"{context.Request.Method} {context.Request.Path}";
        return options.Jwt.Enabled
            ? $"{request} requires credentials: send an API key in the {HeaderName} header or a bearer token " +
                "in the Authorization header."
            : $"{request} requires credentials: send an API key in the {HeaderName} header.";
    }
}
