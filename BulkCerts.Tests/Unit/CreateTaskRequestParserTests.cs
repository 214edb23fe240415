using System.Text.Json;
using BulkCerts.Api;
using BulkCerts.Api.Certificates;

namespace BulkCerts.Tests.Unit;

public sealed class CreateTaskRequestParserTests
{
    private static readonly BulkCertsOptions Options = new() { MaxQuantity = 100_000, DefaultDaysExpiry = 365 };

    [Fact]
    public void ReadsCompleteRequest()
    {
        var result = Parse("""
            {"quantity": 250, "register": true, "certInfo": {"commonName": "sensor", "includeCA": true,
             "organization": "Acme", "country": "de", "daysExpiry": 30}}
            """);

        var request = Assert.IsType<CertificateRequestSpec>(result.Request);
        Assert.Equal(250, request.Quantity);
        Assert.True(request.Register);
        Assert.Equal(new NameTemplate(NameGenerator.Plain, "", "sensor", null), request.CommonName);
        Assert.True(request.IncludeCertificateAuthority);
        Assert.Equal("Acme", request.Organization);
        Assert.Equal("DE", request.Country);
        Assert.Equal(30, request.DaysExpiry);
    }

    [Fact]
    public void AcceptsWholeNumberWrittenWithFraction()
    {
        var result = Parse("""{"quantity": 10.0, "certInfo": {"commonName": "a"}}""");

        Assert.Equal(10, result.Request?.Quantity);
    }

    [Theory]
    [InlineData("0", "quantity 0 is out of range")]
    [InlineData("-5", "quantity -5 is out of range")]
    [InlineData("1.5", "quantity 1.5 is out of range")]
    [InlineData("100001", "quantity 100001 is out of range")]
    [InlineData("1e30", "quantity 1e30 is out of range")]
    [InlineData("\"10\"", "quantity \"10\" (a string) is not a number")]
    [InlineData("true", "quantity true (a boolean) is not a number")]
    [InlineData("[1]", "quantity [1] (an array) is not a number")]
    [InlineData("null", "quantity is missing")]
    public void RejectsBadQuantity(string quantity, string expectedStart)
    {
        var result = Parse($$$"""{"quantity": {{{quantity}}}, "certInfo": {"commonName": "a"}}""");

        Assert.Null(result.Request);
        Assert.StartsWith(expectedStart, result.Error);
        Assert.Contains("from 1 to 100000", result.Error);
    }

    [Fact]
    public void RejectsMissingQuantity()
    {
        var result = Parse("""{"certInfo": {"commonName": "a"}}""");

        Assert.Equal("quantity is missing; quantity must be a whole number from 1 to 100000.", result.Error);
    }

    [Theory]
    [InlineData("[]", "The request body must be a JSON object, not [] (an array)")]
    [InlineData("42", "The request body must be a JSON object, not 42")]
    [InlineData("""{"quantity": 1, "certInfo": "x"}""", "certInfo must be a JSON object")]
    [InlineData("""{"quantity": 1, "register": "yes", "certInfo": {"commonName": "a"}}""", "register \"yes\" (a string) is not a boolean")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": 7}}""", "certInfo.commonName 7 is not a string")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "includeCA": 1}}""", "certInfo.includeCA 1 is not a boolean")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "country": "DEU"}}""", "certInfo.country 'DEU' has 3 characters")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "country": "1A"}}""", "certInfo.country '1A' is not a two-letter")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "daysExpiry": 826}}""", "certInfo.daysExpiry 826 is out of range")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "daysExpiry": 0}}""", "certInfo.daysExpiry 0 is out of range")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a\nb"}}""", "certInfo.commonName 'a\nb' contains the invisible or reserved character U+000A at position 2")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": ""}}""", "certInfo.commonName is empty")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a\ud800b"}}""", "certInfo.commonName is not valid Unicode text")]
    [InlineData("""{"quantity": "\udc00", "certInfo": {"commonName": "a"}}""", "quantity (a string that is not valid Unicode text) is not a number")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "emailAddress": "jörg@example.com"}}""", "certInfo.emailAddress 'jörg@example.com' is not an ASCII email address")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "emailAddress": "devices"}}""", "certInfo.emailAddress 'devices' is not an ASCII email address")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "distinguishedNameQualifier": "a@b"}}""", "certInfo.distinguishedNameQualifier 'a@b' has characters a PrintableString cannot hold")]
    [InlineData("""{"Quantity": 1}""", "Property 'Quantity' is not recognized; property names are case-sensitive, so write 'quantity'")]
    [InlineData("""{"quantity": 1, "certinfo": {}}""", "Property 'certinfo' is not recognized; property names are case-sensitive, so write 'certInfo'")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonname": "a"}}""", "Property 'certInfo.commonname' is not recognized")]
    public void RejectsBadField(string body, string expectedStart)
    {
        var result = Parse(body);

        Assert.Null(result.Request);
        Assert.StartsWith(expectedStart, result.Error);
    }

    [Fact]
    public void AcceptsPrintableQualifierAndAsciiEmail()
    {
        var result = Parse("""
            {"quantity": 1, "certInfo": {"commonName": "a", "emailAddress": "ops@example.com",
             "distinguishedNameQualifier": "Line 7 (A-B) + c/d: x=y?"}}
            """);

        Assert.Equal("ops@example.com", result.Request?.EmailAddress);
        Assert.Equal("Line 7 (A-B) + c/d: x=y?", result.Request?.DistinguishedNameQualifier);
    }

    [Fact]
    public void IgnoresUnknownProperties()
    {
        var result = Parse("""{"quantity": 1, "extra": true, "certInfo": {"commonName": "a", "vendorField": 3}}""");

        Assert.Equal(1, result.Request?.Quantity);
    }

    [Theory]
    [InlineData("""{"certInfo": {"commonName": "`dev-`${list}", "commonNameList": ["a1", "b2", "c3"]}}""", 3)]
    [InlineData("""{"quantity": 7, "certInfo": {"commonName": "`dev-`${list}", "commonNameList": ["a1"]}}""", 1)]
    [InlineData("""{"quantity": 7, "certInfo": {"commonName": "00FF${increment(300)}"}}""", 300)]
    [InlineData("""{"quantity": 7, "certInfo": {"commonName": "00FF${increment}"}}""", 7)]
    [InlineData("""{"certInfo": {"commonName": "ab${static(12)}"}}""", 12)]
    public void TemplateOrListSetsQuantity(string body, int expected)
    {
        Assert.Equal(expected, Parse(body).Request?.Quantity);
    }

    [Theory]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "`dev-`${list}"}}""", "certInfo.commonNameList must be a non-empty array of strings, one per certificate; it is missing")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "`dev-`${list}", "commonNameList": []}}""", "certInfo.commonNameList must be a non-empty array")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "`dev-`${list}", "commonNameList": ["a", 5]}}""", "certInfo.commonNameList[1] 5 is not a string")]
    [InlineData("""{"certInfo": {"commonName": "AB${increment}"}}""", "quantity is missing")]
    [InlineData("""{"certInfo": {"commonName": "AB${increment(100001)}"}}""", "certInfo.commonName sets a quantity of 100001; the maximum is 100000")]
    [InlineData("""{"quantity": 300, "certInfo": {"commonName": "`aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`FF${increment}"}}""", "certInfo.commonName produces the common name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa22A', which is 65 characters long; the maximum is 64")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "keyAlgorithm": "DSA-1024"}}""", "certInfo.keyAlgorithm 'DSA-1024' is not supported; use one of RSA-2048")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "privateKeyFormat": "pkcs1"}}""", "certInfo.privateKeyFormat 'pkcs1' is not supported")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"dns": ["bad_name"]}}}""", "certInfo.subjectAltNames.dns[0] produces 'bad_name', which is invalid: label 'bad_name' may hold only letters")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"ipAddress": ["10.0.0.300"]}}}""", "certInfo.subjectAltNames.ipAddress[0] produces '10.0.0.300', which is invalid: an IPv4 address")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"uri": ["no scheme"]}}}""", "certInfo.subjectAltNames.uri[0] produces 'no scheme', which is invalid: a URI needs a scheme")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"email": ["x@y"]}}}""", "certInfo.subjectAltNames.email is not a list of dns, uri or ipAddress templates")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"dns": ["`d-`${list}"]}}}""", "uses ${list}, which takes its values from certInfo.commonNameList")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"ipAddress": ["010.000.000.001"]}}}""", "which is invalid: an IPv4 address has four decimal parts from 0 to 255 without leading zeros")]
    [InlineData("""{"quantity": 16, "certInfo": {"commonName": "a", "subjectAltNames": {"ipAddress": ["`10.0.0.`1${increment}"]}}}""", "produces '10.0.0.A', which is invalid")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"uri": ["urn:a b"]}}}""", "must be percent-encoded")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a\u202Eb"}}""", "contains the invisible or reserved character U+202E at position 2")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "   "}}""", "produces a common name of only spaces")]
    public void RejectsBadTemplateRequest(string body, string expectedStart)
    {
        var result = Parse(body);

        Assert.Null(result.Request);
        Assert.Contains(expectedStart, result.Error);
    }

    [Fact]
    public void OverlongCommonNameListIsTooLarge()
    {
        var list = string.Join(", ", Enumerable.Repeat("\"n\"", 100_001));

        var result = Parse($$$"""{"certInfo": {"commonName": "`d-`${list}", "commonNameList": [{{{list}}}]}}""");

        Assert.Null(result.Request);
        Assert.Equal(413, result.Status);
        Assert.Equal(
            "certInfo.commonNameList has 100001 entries; the maximum is 100000 (BulkCerts:MaxQuantity). " +
            "Split the names across several tasks of at most 100000 each.",
            result.Error);
    }

    [Fact]
    public void ListIgnoredByOtherTemplatesIsNotChecked()
    {
        var list = string.Join(", ", Enumerable.Repeat("1", 100_001));

        var result = Parse($$$"""{"quantity": 1, "certInfo": {"commonName": "a", "commonNameList": [{{{list}}}]}}""");

        Assert.Equal(1, result.Request?.Quantity);
    }

    [Fact]
    public void BadFieldIsBadRequest()
    {
        var result = Parse("""{"quantity": 0, "certInfo": {"commonName": "a"}}""");

        Assert.Equal(400, result.Status);
    }

    [Fact]
    public void CountsCommonNameInCharacters()
    {
        var name = string.Concat(Enumerable.Repeat("\U0001F600", 33));

        var result = Parse($$$"""{"quantity": 1, "certInfo": {"commonName": "{{{name}}}"}}""");

        Assert.NotNull(result.Request);
    }

    [Fact]
    public void AcceptsWildcardDnsName()
    {
        var result = Parse("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"dns": ["*.example.com"]}}}""");

        Assert.NotNull(result.Request);
    }

    [Fact]
    public void ReadsProfileFields()
    {
        var result = Parse("""
            {"quantity": 2, "certInfo": {"commonName": "`d-`0A${increment}", "keyAlgorithm": "ec-p256",
             "privateKeyFormat": "PKCS8", "subjectAltNames": {"dns": ["`d-`0A${increment}"],
             "uri": ["urn:device:1"], "ipAddress": ["192.0.2.1", "2001:db8::1"]}}}
            """);

        var request = Assert.IsType<CertificateRequestSpec>(result.Request);
        Assert.Equal("EC-P256", request.KeyAlgorithm);
        Assert.True(request.Pkcs8PrivateKeys);
        Assert.Equal(4, request.SubjectAltNames.Count);
        Assert.Equal(SubjectAltNameKind.Dns, request.SubjectAltNames[0].Kind);
        Assert.Equal("d-0B", request.SubjectAltNames[0].Value.NameAt(1));
        Assert.Equal(SubjectAltNameKind.IpAddress, request.SubjectAltNames[3].Kind);
    }

    [Fact]
    public void Base64EncodingAppliesLimitToEncodedName()
    {
        var options = new BulkCertsOptions { CommonNameEncoding = "base64" };
        var name = new string('a', 48);

        var fits = CreateTaskRequestParser.Parse(
            JsonDocument.Parse($$$"""{"quantity": 1, "certInfo": {"commonName": "{{{name}}}"}}""").RootElement, options);
        var tooLong = CreateTaskRequestParser.Parse(
            JsonDocument.Parse($$$"""{"quantity": 1, "certInfo": {"commonName": "{{{name}}}a"}}""").RootElement, options);

        Assert.True(fits.Request?.Base64CommonName);
        Assert.Contains("which is 68 characters long in base64; the maximum is 64", tooLong.Error);
    }

    [Fact]
    public void RejectsCommonNameLongerThan64Characters()
    {
        var name = new string('a', 65);

        var result = Parse($$$"""{"quantity": 1, "certInfo": {"commonName": "{{{name}}}"}}""");

        Assert.Contains("which is 65 characters long; the maximum is 64", result.Error);
    }

    [Fact]
    public void RejectsMissingCommonNameWithoutDefault()
    {
        var result = Parse("""{"quantity": 1}""");

        Assert.StartsWith("certInfo.commonName is missing and no default common name is configured", result.Error);
    }

    [Fact]
    public void UsesConfiguredDefaults()
    {
        var options = new BulkCertsOptions
        {
            Defaults = new SubjectDefaults { CommonName = "factory-device", Organization = "Acme", Country = "US" },
        };

        var result = CreateTaskRequestParser.Parse(JsonDocument.Parse("""{"quantity": 1}""").RootElement, options);

        Assert.Equal("factory-device", result.Request?.CommonName.NameAt(0));
        Assert.Equal("Acme", result.Request?.Organization);
        Assert.Equal("US", result.Request?.Country);
        Assert.Equal(365, result.Request?.DaysExpiry);
    }

    private static ParseResult Parse(string json) =>
        CreateTaskRequestParser.Parse(JsonDocument.Parse(json).RootElement, Options);
}
