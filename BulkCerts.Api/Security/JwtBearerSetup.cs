using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BulkCerts.Api.Security;

/// <summary>
/// Configures bearer tokens from <c>BulkCerts:Auth:Jwt</c>: issuer, audience, lifetime and
/// signature are all required, and a rejected token gets a 401 problem that names the failed check.
/// </summary>
internal static class JwtBearerSetup
{
    public static void Configure(JwtBearerOptions options, JwtOptions jwt)
    {
        options.MapInboundClaims = false;
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            options.Authority = jwt.Authority;
        }

        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            IssuerSigningKeys = [.. jwt.SigningKeys.Select(Read)],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        };

        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                var subject = principal.FindFirst("sub")?.Value ?? principal.FindFirst("client_id")?.Value;
                if (string.IsNullOrEmpty(subject))
                {
                    context.Fail("it has no sub or client_id claim; ask the issuer for a token with one.");
                    return Task.CompletedTask;
                }

                // A token that carries the supplier claim is limited to the suppliers it lists, so an
                // empty list grants none. Checking the payload catches an empty array, which yields no claim.
                var token = context.SecurityToken as JsonWebToken;
                var scoped = token?.TryGetPayloadValue<object>(jwt.SupplierClaim, out _) == true
                    || principal.HasClaim(claim => claim.Type == jwt.SupplierClaim);
                var suppliers = principal.FindAll(jwt.SupplierClaim)
                    .SelectMany(claim => claim.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
                    .ToList();

                // Only the identity built here counts, so a token cannot set the Api's own claims.
                context.Principal = new ClaimsPrincipal(Credential.CreateIdentity(
                    $"jwt:{subject}", suppliers, JwtBearerDefaults.AuthenticationScheme, scoped));
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var message = context.AuthenticateFailure is { } failure
                    ? $"The bearer token was rejected: {Describe(failure, jwt)}"
                    : "The Authorization header holds no bearer token; send 'Authorization: Bearer <token>'.";
                await AuthProblems.WriteAsync(
                    context.HttpContext, StatusCodes.Status401Unauthorized, message, "Bearer");
            },
        };
    }

    // The options validator has already checked every key, so a failure here is a bug.
    private static SecurityKey Read(string text) => JwtSigningKeys.TryRead(text, out var key)
        ? key!
        : throw new InvalidOperationException("A signing key passed validation but cannot be read.");

    /// <summary>Names the check a token failed, without echoing the token.</summary>
    private static string Describe(Exception failure, JwtOptions jwt) => failure switch
    {
        SecurityTokenExpiredException expired => $"it expired at {expired.Expires:u}; get a new token.",
        SecurityTokenNotYetValidException early => $"it is not valid before {early.NotBefore:u}.",
        SecurityTokenInvalidLifetimeException => "its lifetime (nbf to exp) does not include the current time.",
        SecurityTokenNoExpirationException => "it has no expiry (exp); ask the issuer for a token that expires.",
        SecurityTokenInvalidAudienceException => $"its audience is not '{jwt.Audience}'.",
        SecurityTokenInvalidIssuerException => $"its issuer is not '{jwt.Issuer}'.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "its signature does not verify with any configured key.",
        SecurityTokenMalformedException or SecurityTokenArgumentException or ArgumentException =>
            "it is not a well-formed JWT.",
        AuthenticationFailureException => failure.Message,
        _ => $"it failed validation ({failure.GetType().Name}).",
    };
}
