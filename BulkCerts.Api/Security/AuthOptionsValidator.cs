using BulkCerts.Api.Certificates;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Security;

/// <summary>Checks <c>BulkCerts:Auth</c> at start-up; each failure names its full key.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        const string Section = AuthOptions.SectionName;
        var failures = new List<string>();

        if (!options.AllowAnonymous && options.ApiKeys.Count == 0 && !options.Jwt.Enabled)
        {
            failures.Add(
                $"No credentials are configured. Add the SHA-256 of an API key as {Section}:ApiKeys:{{name}}:Hash, " +
                $"or a token issuer as {Section}:Jwt:Issuer; or set {Section}:AllowAnonymous=true to serve " +
                "without authentication, on an isolated machine only.");
        }

        foreach (var (keyName, key) in options.ApiKeys)
        {
            var prefix = $"{Section}:ApiKeys:{keyName}";
            if (!SupplierIds.IsValid(keyName))
            {
                failures.Add($"{prefix} has a name that is not valid; {SupplierIds.Rule}");
            }

            if (key.Hash?.Trim() is not { Length: 64 } hash || !hash.All(char.IsAsciiHexDigit))
            {
                failures.Add(
                    $"{prefix}:Hash is not a hex SHA-256 of 64 digits; create it with: printf %s \"$KEY\" | sha256sum");
            }

            failures.AddRange(key.Suppliers
                .Where(supplier => !SupplierIds.IsValid(supplier))
                .Select(supplier =>
                    $"{prefix}:Suppliers has '{supplier}', not a valid supplier id; {SupplierIds.Rule}"));

            if (key.RequestsPerMinute is < 1)
            {
                failures.Add($"{prefix}:RequestsPerMinute is {key.RequestsPerMinute}; set 1 or more.");
            }

            if (key.MaxRunningTasks is < 1)
            {
                failures.Add($"{prefix}:MaxRunningTasks is {key.MaxRunningTasks}; set 1 or more.");
            }
        }

        if (options.Jwt.Enabled)
        {
            ValidateJwt(options.Jwt, failures);
        }
        else if (options.Jwt.Audience is not null
            || options.Jwt.Authority is not null
            || options.Jwt.SigningKeys.Count > 0)
        {
            failures.Add(
                $"{Section}:Jwt has settings but no Issuer, so bearer tokens stay off; set {Section}:Jwt:Issuer " +
                "to the issuer (iss) of the tokens, or remove the other Jwt settings.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateJwt(JwtOptions jwt, List<string> failures)
    {
        const string Prefix = $"{AuthOptions.SectionName}:Jwt";
        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            failures.Add($"{Prefix}:Audience is empty; set the audience (aud) that tokens for this API carry.");
        }

        if (jwt.SigningKeys.Count == 0 && string.IsNullOrWhiteSpace(jwt.Authority))
        {
            failures.Add(
                $"{Prefix}:SigningKeys is empty and no {Prefix}:Authority is set; add a key: {JwtSigningKeys.Rule}");
        }

        for (var i = 0; i < jwt.SigningKeys.Count; i++)
        {
            if (!JwtSigningKeys.TryRead(jwt.SigningKeys[i], out _))
            {
                failures.Add($"{Prefix}:SigningKeys:{i} is not a key this API can read; {JwtSigningKeys.Rule}");
            }
        }

        if (string.IsNullOrWhiteSpace(jwt.SupplierClaim))
        {
            failures.Add($"{Prefix}:SupplierClaim is empty; set the claim that lists a token's suppliers.");
        }
    }
}
