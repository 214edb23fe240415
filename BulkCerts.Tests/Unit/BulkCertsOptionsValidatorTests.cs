using BulkCerts.Api;

namespace BulkCerts.Tests.Unit;

public sealed class BulkCertsOptionsValidatorTests
{
    [Fact]
    public void AcceptsDefaults()
    {
        var result = new BulkCertsOptionsValidator().Validate(null, new BulkCertsOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1023)]
    [InlineData(1024L * 1024 * 1024 + 1)]
    public void RejectsBodyLimitOutOfRange(long bytes)
    {
        var options = new BulkCertsOptions { MaxRequestBodyBytes = bytes };

        var result = new BulkCertsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"BulkCerts:MaxRequestBodyBytes is {bytes}; set a number of bytes from 1024 to 1073741824",
            result.FailureMessage);
    }

    [Fact]
    public void DefaultBodyLimitFitsFullCommonNameList()
    {
        var entry = "\"" + new string('n', 160) + "\"";
        var body = "{\"certInfo\": {\"commonName\": \"${list}\", \"commonNameList\": [" +
            string.Join(",", Enumerable.Repeat(entry, 100_000)) + "]}}";

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(body) < new BulkCertsOptions().MaxRequestBodyBytes);
    }

    [Fact]
    public void RejectsInvalidDefaultAuthority()
    {
        var options = new BulkCertsOptions { DefaultCertificateAuthority = "../ca" };

        var result = new BulkCertsOptionsValidator().Validate(null, options);

        Assert.Contains(
            "BulkCerts:DefaultCertificateAuthority '../ca' is not a valid CA alias", result.FailureMessage);
    }

    [Fact]
    public void RejectsInvalidSupplierAuthority()
    {
        var options = new BulkCertsOptions { Suppliers = { ["acme"] = "acme ca" } };

        var result = new BulkCertsOptionsValidator().Validate(null, options);

        Assert.Contains("BulkCerts:Suppliers:acme 'acme ca' is not a valid CA alias", result.FailureMessage);
    }

    [Theory]
    [InlineData("cert engine")]
    [InlineData("2certengine")]
    [InlineData("certengine.internal")]
    public void RejectsInvalidCertEngineName(string name)
    {
        var options = new BulkCertsOptions { CertEngines = ["certengine", name] };

        var result = new BulkCertsOptionsValidator().Validate(null, options);

        Assert.Contains($"BulkCerts:CertEngines:1 '{name}' is not a service name", result.FailureMessage);
    }
}
