using BulkCerts.Api.Security;

namespace BulkCerts.Tests.Unit;

public sealed class AuthOptionsValidatorTests
{
    private static readonly string GoodHash = ApiKeyStore.HashKey("some-key");

    [Fact]
    public void NoCredentialsFailsStart()
    {
        var failures = Validate(new AuthOptions());

        Assert.Contains(failures, failure => failure.StartsWith("No credentials are configured."));
        Assert.Contains(failures, failure => failure.Contains("BulkCerts:Auth:AllowAnonymous=true"));
    }

    [Fact]
    public void ExplicitAnonymousAccessIsAccepted()
    {
        Assert.Empty(Validate(new AuthOptions { AllowAnonymous = true }));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz35a1ae6e07c5b79eb1b2e0be9c56c02ba3f0b79e7b8ea3d3d5a8e8d1f7a1b2")]
    public void MalformedHashNamesTheKey(string hash)
    {
        var options = new AuthOptions { ApiKeys = { ["factory"] = new ApiKeyOptions { Hash = hash } } };

        var failure = Assert.Single(Validate(options));

        Assert.StartsWith("BulkCerts:Auth:ApiKeys:factory:Hash is not a hex SHA-256 of 64 digits", failure);
    }

    [Fact]
    public void BadSupplierScopeIsReported()
    {
        var options = new AuthOptions
        {
            ApiKeys = { ["factory"] = new ApiKeyOptions { Hash = GoodHash, Suppliers = ["acme devices"] } },
        };

        var failure = Assert.Single(Validate(options));

        Assert.StartsWith("BulkCerts:Auth:ApiKeys:factory:Suppliers has 'acme devices'", failure);
    }

    [Theory]
    [InlineData("c2hvcnQ=", "BulkCerts:Auth:Jwt:SigningKeys:0 is not a key this API can read")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "BulkCerts:Auth:Jwt:SigningKeys:0 is not")]
    public void UnreadableSigningKeyIsReported(string signingKey, string expectedStart)
    {
        var options = new AuthOptions
        {
            Jwt = { Issuer = "https://issuer.test", Audience = "bulkcerts", SigningKeys = [signingKey] },
        };

        var failure = Assert.Single(Validate(options));

        Assert.StartsWith(expectedStart, failure);
    }

    [Fact]
    public void TokenWithoutAudienceIsReported()
    {
        var options = new AuthOptions
        {
            Jwt = { Issuer = "https://issuer.test", SigningKeys = [Convert.ToBase64String(new byte[32])] },
        };

        var failure = Assert.Single(Validate(options));

        Assert.StartsWith("BulkCerts:Auth:Jwt:Audience is empty", failure);
    }

    [Fact]
    public void TokenSettingsWithoutIssuerAreReported()
    {
        var options = new AuthOptions { AllowAnonymous = true, Jwt = { Audience = "bulkcerts" } };

        var failure = Assert.Single(Validate(options));

        Assert.StartsWith("BulkCerts:Auth:Jwt has settings but no Issuer", failure);
    }

    private static IReadOnlyList<string> Validate(AuthOptions options) =>
        new AuthOptionsValidator().Validate(name: null, options).Failures?.ToList() ?? [];
}
