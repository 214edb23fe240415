using BulkCerts.Api.Authorities;

namespace BulkCerts.Tests.Unit;

public sealed class CertificateAuthorityAliasesTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("ACME")]
    [InlineData("acme-devices_2.0")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void AcceptsDocumentedAliases(string alias)
    {
        Assert.True(CertificateAuthorityAliases.IsValid(alias));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("../acme")]
    [InlineData("acme/..")]
    [InlineData("ac\0me")]
    [InlineData("acme ca")]
    [InlineData("bulkcerts:*")]
    [InlineData("caf\u00e9")]
    [InlineData("${jndi}")]
    [InlineData("%2e%2e")]
    public void RejectsOtherAliases(string? alias)
    {
        Assert.False(CertificateAuthorityAliases.IsValid(alias));
    }
}
