using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BulkCerts.Api;
using BulkCerts.Api.Certificates;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Unit;

/// <summary>certInfo.outputFormat, certInfo.pkcs12Password and certInfo.recipientCertificate.</summary>
public sealed class DeliveryFormatParserTests
{
    private static readonly BulkCertsOptions Options = new() { MaxQuantity = 100_000, DefaultDaysExpiry = 365 };

    [Theory]
    [InlineData(null, FileFormat.Pem)]
    [InlineData("PEM", FileFormat.Pem)]
    [InlineData("der", FileFormat.Der)]
    [InlineData("Der", FileFormat.Der)]
    public void ReadsOutputFormatInAnyCase(string? format, FileFormat expected)
    {
        var formatProperty = format is null ? string.Empty : $", \"outputFormat\": \"{format}\"";

        var result = Parse(Body(formatProperty));

        Assert.Equal(expected, result.Request?.OutputFormat);
        Assert.Null(result.Pkcs12Password);
    }

    [Fact]
    public void KeepsPasswordOutOfStoredSpec()
    {
        var result = Parse("""
            {"quantity": 2, "certInfo": {"commonName": "a", "outputFormat": "PKCS12", "pkcs12Password": "s3cret-p12"}}
            """);

        Assert.Equal(FileFormat.Pkcs12, result.Request?.OutputFormat);
        Assert.Equal("s3cret-p12", result.Pkcs12Password);
        Assert.DoesNotContain("s3cret-p12", JsonSerializer.Serialize(result.Request));
        Assert.DoesNotContain("s3cret-p12", result.ToString());
    }

    [Theory]
    [InlineData("\"zip\"", "certInfo.outputFormat 'zip' is not supported; use one of pem, pkcs12, der.")]
    [InlineData("7", "certInfo.outputFormat 7 is not a string")]
    public void BadOutputFormatIsRejected(string format, string expectedStart)
    {
        var result = Parse(Body($", \"outputFormat\": {format}"));

        Assert.StartsWith(expectedStart, result.Error);
    }

    [Theory]
    [InlineData("", "certInfo.outputFormat is pkcs12, so certInfo.pkcs12Password is required")]
    [InlineData(", \"pkcs12Password\": \"\"", "certInfo.pkcs12Password has 0 characters (value not shown)")]
    [InlineData(", \"pkcs12Password\": 1234", "certInfo.pkcs12Password is not a string (value not shown)")]
    [InlineData(", \"pkcs12Password\": \"ab\\u0000cd\"", "certInfo.pkcs12Password contains the character U+0000")]
    [InlineData(", \"pkcs12Password\": \"ab\\ud800cd\"", "certInfo.pkcs12Password is not valid Unicode")]
    public void BadPasswordIsRejected(string password, string expectedStart)
    {
        var result = Parse(Body(", \"outputFormat\": \"pkcs12\"" + password));

        Assert.StartsWith(expectedStart, result.Error);
    }

    [Fact]
    public void OverlongPasswordIsNotRepeated()
    {
        var password = new string('x', CreateTaskRequestParser.MaxPkcs12PasswordLength + 1);

        var result = Parse(Body($", \"outputFormat\": \"pkcs12\", \"pkcs12Password\": \"{password}\""));

        Assert.StartsWith("certInfo.pkcs12Password has 1025 characters (value not shown)", result.Error);
        Assert.DoesNotContain("xxxx", result.Error);
    }

    [Fact]
    public void PasswordWithoutPkcs12IsRejected()
    {
        var result = Parse("""{"quantity": 2, "certInfo": {"commonName": "a", "pkcs12Password": "s3cret"}}""");

        Assert.StartsWith("certInfo.pkcs12Password is set, but certInfo.outputFormat is 'pem'", result.Error);
        Assert.DoesNotContain("s3cret", result.Error);
    }

    [Fact]
    public void DerWithChainIsRejected()
    {
        var result = Parse("""
            {"quantity": 2, "certInfo": {"commonName": "a", "outputFormat": "der", "includeCA": true}}
            """);

        Assert.StartsWith("certInfo.outputFormat 'der' cannot be combined with certInfo.includeCA", result.Error);
    }

    [Fact]
    public void ReadsRecipientCertificate()
    {
        var pem = RecipientCertificateFiles.Rsa();

        var result = Parse(WithRecipient(pem));

        Assert.Equal(pem, result.Request?.RecipientCertificate);
    }

    public static TheoryData<string, string> BadRecipients => new()
    {
        { "not a certificate", "certInfo.recipientCertificate contains no PEM certificate" },
        {
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "certInfo.recipientCertificate is not a readable X.509 certificate"
        },
        { RecipientCertificateFiles.Rsa(keySize: 1024), "has an RSA key of 1024 bits; the minimum is 2048" },
        { RecipientCertificateFiles.Rsa(notAfter: DateTimeOffset.UtcNow.AddDays(-1)), "expired at" },
        {
            RecipientCertificateFiles.Rsa(keyUsage: X509KeyUsageFlags.DigitalSignature),
            "has a keyUsage of DigitalSignature without keyEncipherment"
        },
        { RecipientCertificateFiles.EcP256(), "only RSA recipients are supported" },
        {
            RecipientCertificateFiles.RsaWithBrokenKey(evenModulus: true),
            "cannot be encrypted to (RSA modulus is even)"
        },
        { RecipientCertificateFiles.RsaWithBrokenKey(evenModulus: false), "cannot be used" },
        { RecipientCertificateFiles.Rsa() + RecipientCertificateFiles.Rsa(), "contains 2 PEM certificates" },
    };

    [Theory]
    [MemberData(nameof(BadRecipients))]
    public void BadRecipientIsRejected(string pem, string expected)
    {
        var result = Parse(WithRecipient(pem));

        Assert.Null(result.Request);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void RecipientWithoutKeyUsageIsAccepted()
    {
        var result = Parse(WithRecipient(RecipientCertificateFiles.Rsa(keyUsage: null)));

        Assert.NotNull(result.Request?.RecipientCertificate);
    }

    private static string WithRecipient(string pem) =>
        Body($", \"recipientCertificate\": {JsonSerializer.Serialize(pem)}");

    /// <summary>A body for two certificates named "a", with <paramref name="certInfo"/> added to certInfo.</summary>
    private static string Body(string certInfo) =>
        "{\"quantity\": 2, \"certInfo\": {\"commonName\": \"a\"" + certInfo + "}}";

    private static ParseResult Parse(string json) =>
        CreateTaskRequestParser.Parse(JsonDocument.Parse(json).RootElement, Options);
}
