using BulkCerts.Api.Downloads;

namespace BulkCerts.Tests.Unit;

public sealed class SignedUrlOptionsValidatorTests
{
    [Fact]
    public void AcceptsDefaults()
    {
        var result = new SignedUrlOptionsValidator().Validate(null, new SignedUrlOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(59)]
    [InlineData(604_801)]
    [InlineData(-1)]
    public void RejectsExpiryOutOfRange(int seconds)
    {
        var result = new SignedUrlOptionsValidator().Validate(null, new SignedUrlOptions { ExpirySeconds = seconds });

        Assert.Contains(
            $"BulkCerts:SignedUrls:ExpirySeconds is {seconds}; set a number of seconds from 60 to 604800",
            result.FailureMessage);
    }

    [Theory]
    [InlineData("https://certs.example.com")]
    [InlineData("https://certs.example.com/bulkcerts/")]
    [InlineData("http://127.0.0.1:5080")]
    public void AcceptsBaseUrl(string baseUrl)
    {
        var result = new SignedUrlOptionsValidator().Validate(null, new SignedUrlOptions { BaseUrl = baseUrl });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("certs.example.com")]
    [InlineData("/bulkcerts")]
    [InlineData("ftp://certs.example.com")]
    [InlineData("https://certs.example.com/?a=1")]
    [InlineData("https://certs.example.com/#top")]
    [InlineData("https://user:secret@certs.example.com")]
    public void RejectsBaseUrl(string baseUrl)
    {
        var result = new SignedUrlOptionsValidator().Validate(null, new SignedUrlOptions { BaseUrl = baseUrl });

        Assert.Contains($"BulkCerts:SignedUrls:BaseUrl '{baseUrl}' is not an absolute http or https URL",
            result.FailureMessage);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(0)]
    public void RejectsShortSigningKey(int bytes)
    {
        var key = bytes == 0 ? "not base64!" : Convert.ToBase64String(new byte[bytes]);

        var result = new SignedUrlOptionsValidator().Validate(null, new SignedUrlOptions { SigningKey = key });

        Assert.Contains("BulkCerts:SignedUrls:SigningKey is not base64 of at least 32 bytes", result.FailureMessage);
        Assert.DoesNotContain(key, result.FailureMessage);
    }

    [Fact]
    public void AcceptsLongSigningKey()
    {
        var key = Convert.ToBase64String(new byte[64]);

        var result = new SignedUrlOptionsValidator().Validate(null, new SignedUrlOptions { SigningKey = key });

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
