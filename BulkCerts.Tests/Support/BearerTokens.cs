using System.Security.Claims;
using BulkCerts.Tests.Integration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace BulkCerts.Tests.Support;

/// <summary>Creates bearer tokens signed with the fixture's HMAC secret, or with a flaw the Api must reject.</summary>
internal static class BearerTokens
{
    public static string Create(
        string? subject,
        Dictionary<string, object>? claims = null,
        DateTime? expires = null,
        string audience = BulkCertsAppFixture.TokenAudience,
        string issuer = BulkCertsAppFixture.TokenIssuer,
        byte[]? secret = null)
    {
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(10);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expiry.AddMinutes(-20),
            NotBefore = expiry.AddMinutes(-20),
            Expires = expiry,
            Claims = claims ?? [],
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(secret ?? BulkCertsAppFixture.TokenSecret), SecurityAlgorithms.HmacSha256),
        };
        if (subject is not null)
        {
            descriptor.Subject = new ClaimsIdentity([new Claim("sub", subject)]);
        }

        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>Returns a token with a valid issuer, audience and subject but no signature (alg none).</summary>
    public static string CreateUnsigned()
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(
            $$"""{"iss":"{{BulkCertsAppFixture.TokenIssuer}}","aud":"{{BulkCertsAppFixture.TokenAudience}}","sub":"x","exp":{{expires}}}""");
        return $"{header}.{payload}.";
    }
}
