using System.Security.Cryptography;
using System.Text.Json;
using BulkCerts.Api;
using BulkCerts.Api.Certificates;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Unit;

public sealed class SigningRequestParserTests
{
    private static readonly BulkCertsOptions Options = new()
    {
        MaxQuantity = 3,
        DefaultDaysExpiry = 365,
        Defaults = new SubjectDefaults { CommonName = "default-name", Organization = "Default Org" },
    };

    private static readonly string Csr = JsonSerializer.Serialize(
        TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=sensor-1"));

    [Fact]
    public void CsrsArrayBecomesRows()
    {
        var result = Parse(
            $$$"""{"csrs": [{{{Csr}}}, "garbage"], "certInfo": {"commonName": "fleet", "country": "de"}}""");

        Assert.Null(result.Error);
        Assert.True(result.Request!.SignsRequests);
        Assert.Equal(2, result.Request.Quantity);
        Assert.Equal("fleet", result.Request.CommonName.Start);
        Assert.Equal("DE", result.Request.Country);
        Assert.Equal(2, result.SigningRequests!.Count);
        Assert.False(result.SigningRequests[0].Der.IsEmpty);
        Assert.True(result.SigningRequests[1].Der.IsEmpty);
    }

    [Fact]
    public void DefaultsDoNotApplyToRequests()
    {
        var result = Parse($$"""{"csrs": [{{Csr}}]}""");

        Assert.Equal(string.Empty, result.Request!.CommonName.Start);
        Assert.Null(result.Request.Organization);
    }

    [Fact]
    public void NewCertificateRequestLabelIsDecoded()
    {
        var pem = JsonSerializer.Deserialize<string>(Csr)!.Replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");

        var result = Parse($$"""{"csrs": [{{JsonSerializer.Serialize(pem)}}]}""");

        Assert.False(result.SigningRequests!.Single().Der.IsEmpty);
    }

    [Fact]
    public void TwoRequestsInOneEntryAreRejected()
    {
        var pem = JsonSerializer.Deserialize<string>(Csr)!;

        var result = Parse($$"""{"csrs": [{{JsonSerializer.Serialize(pem + pem)}}]}""");

        Assert.True(result.SigningRequests!.Single().Der.IsEmpty);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"csrs": []}""", "csrs is an empty array" },
        { """{"csrs": "pem"}""", "csrs \"pem\" (a string) is not an array" },
        { """{"csrs": [5]}""", "csrs[0] 5 is not a string" },
        { """{"csrs": ["a"], "quantity": 2}""", "quantity 2 differs from the 1 entries of csrs" },
        { """{"csrs": ["a"], "certInfo": {"keyAlgorithm": "EC-P256"}}""", "certInfo.keyAlgorithm cannot be set" },
        { """{"csrs": ["a"], "certInfo": {"privateKeyFormat": "pkcs8"}}""", "certInfo.privateKeyFormat cannot be" },
        { """{"csrs": ["a"], "certInfo": {"subjectAltNames": {"dns": ["a"]}}}""", "certInfo.subjectAltNames cannot" },
        { """{"csrs": ["a"], "certInfo": {"commonNameList": ["a"]}}""", "certInfo.commonNameList cannot be set" },
        { """{"csrs": ["a"], "certInfo": {"commonName": "`d-`01${increment}"}}""", "certInfo.commonName '`d-`01" },
        { """{"csrs": ["a"], "certInfo": {"country": "Germany"}}""", "certInfo.country 'Germany' has 7 characters" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public void InvalidCombinationIsRejected(string body, string expected)
    {
        var result = Parse(body);

        Assert.Equal(400, result.Status);
        Assert.StartsWith(expected, result.Error);
    }

    [Fact]
    public void MoreThanMaxQuantityIs413()
    {
        var result = Parse("""{"csrs": ["a", "b", "c", "d"]}""");

        Assert.Equal(413, result.Status);
        Assert.StartsWith("csrs has 4 certification requests; the maximum is 3", result.Error);
    }

    private static ParseResult Parse(string json) =>
        CreateTaskRequestParser.Parse(JsonDocument.Parse(json).RootElement, Options);
}
