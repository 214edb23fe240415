using System.Security.Cryptography.X509Certificates;
using System.Text;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using Grpc.Core;

namespace BulkCerts.CertEngine.Tests;

public sealed class NameRuleTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    public static TheoryData<string, long, int, string[]> Increments => new()
    {
        { "0FFE", 0, 2, ["0FFE", "0FFF"] },
        { "0FFE", 2, 2, ["1000", "1001"] },
        { "0009", 1, 1, ["000A"] },
        { "FFFFFFFFFFFFFFFFFFFE", 1, 2, ["FFFFFFFFFFFFFFFFFFFF", "100000000000000000000"] },
        { "00000000000000000000", 3, 1, ["00000000000000000003"] },
    };

    public static TheoryData<SubjectAltNameType, NameRule, string> InvalidAltNames => new()
    {
        { SubjectAltNameType.Dns, new NameRule { StaticValue = "bad_name.example.com" }, "bad_name.example.com" },
        { SubjectAltNameType.Dns, new NameRule { StaticValue = "-device.example.com" }, "-device.example.com" },
        { SubjectAltNameType.Dns, new NameRule { StaticValue = "device..example.com" }, "device..example.com" },
        { SubjectAltNameType.Uri, new NameRule { StaticValue = "no-scheme" }, "no-scheme" },
        { SubjectAltNameType.Uri, new NameRule { StaticValue = "/devices/1" }, "/devices/1" },
        { SubjectAltNameType.IpAddress, new NameRule { StaticValue = "300.1.2.3" }, "300.1.2.3" },
        { SubjectAltNameType.IpAddress, new NameRule { StaticValue = "10.1" }, "10.1" },
        { SubjectAltNameType.IpAddress, new NameRule { Prefix = "10.0.0.", IncrementStart = "FF" }, "10.0.0.FF" },
        { SubjectAltNameType.IpAddress, new NameRule { StaticValue = "fe80::1%eth0" }, "fe80::1%eth0" },
        { SubjectAltNameType.Unspecified, new NameRule { StaticValue = "device" }, "type 0" },
    };

    [Theory]
    [MemberData(nameof(Increments))]
    public void IncrementContinuesAcrossRequests(string start, long firstIndex, int count, string[] expected)
    {
        var request = TestIssuance.Request(count: count);
        request.FirstIndex = firstIndex;
        request.Subject.CommonName = new NameRule { Prefix = "device-", IncrementStart = start };

        var issued = TestIssuance.Issue(request, authorities["EC-P256"]);

        Assert.Equal(expected.Select(suffix => "device-" + suffix), issued.Select(c => c.CommonName));
        Assert.Equal(Enumerable.Range(0, count).Select(offset => firstIndex + offset), issued.Select(c => c.Index));
    }

    [Fact]
    public async Task AltNamesOfEveryTypeInCertificate()
    {
        var request = TestIssuance.Request(count: 2);
        request.SubjectAltNames.Add(new SubjectAltNameRule
        {
            Type = SubjectAltNameType.Dns,
            Value = new NameRule { Prefix = "sensor-", IncrementStart = "00FF" },
        });
        request.SubjectAltNames.Add(new SubjectAltNameRule
        {
            Type = SubjectAltNameType.Uri,
            Value = new NameRule
            {
                Prefix = "urn:bulkcerts:device:",
                List = new ListValues { Values = { "a1", "b2" } },
            },
        });
        request.SubjectAltNames.Add(new SubjectAltNameRule
        {
            Type = SubjectAltNameType.IpAddress,
            Value = new NameRule { StaticValue = "192.0.2.10" },
        });
        request.SubjectAltNames.Add(new SubjectAltNameRule
        {
            Type = SubjectAltNameType.IpAddress,
            Value = new NameRule { Prefix = "2001:db8::", IncrementStart = "0FFF" },
        });

        var issued = TestIssuance.Issue(request, authorities["EC-P256"]);
        var (certificatePath, _) = IssuedFiles.Write(authorities.Folder, issued[1]);
        var text = await OpensslAuthority.RunAsync(
            authorities.Folder, "x509", "-in", certificatePath, "-noout", "-text");

        Assert.Contains("DNS:sensor-0100", text);
        Assert.Contains("URI:urn:bulkcerts:device:b2", text);
        Assert.Contains("IP Address:192.0.2.10", text);
        Assert.Contains("IP Address:2001:DB8:0:0:0:0:0:1000", text);
    }

    [Theory]
    [MemberData(nameof(InvalidAltNames))]
    public void InvalidAltNameRejected(SubjectAltNameType type, NameRule value, string badValue)
    {
        var request = TestIssuance.Request();
        request.SubjectAltNames.Add(new SubjectAltNameRule
        {
            Type = SubjectAltNameType.Dns,
            Value = new NameRule { StaticValue = "valid.example.com" },
        });
        request.SubjectAltNames.Add(new SubjectAltNameRule { Type = type, Value = value });

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["EC-P256"]));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("subject_alt_names[1]", exception.Status.Detail);
        Assert.Contains(badValue, exception.Status.Detail);
    }

    [Fact]
    public void Base64CommonNameInCertificate()
    {
        var request = TestIssuance.Request();
        request.Subject.CommonName = new NameRule
        {
            Prefix = "capteur-",
            StaticValue = "été-7",
            Base64Encode = true,
        };
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("capteur-été-7"));

        var issued = TestIssuance.Issue(request, authorities["EC-P256"]).Single();
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.Equal(expected, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal(expected, issued.CommonName);
        Assert.Equal("capteur-été-7", Encoding.UTF8.GetString(Convert.FromBase64String(issued.CommonName)));
    }

    [Theory]
    [InlineData(48, false)]
    [InlineData(49, true)]
    public void Base64CommonNameLengthLimit(int plainLength, bool rejected)
    {
        var request = TestIssuance.Request();
        request.Subject.CommonName = new NameRule { StaticValue = new string('a', plainLength), Base64Encode = true };

        var exception = Record.Exception(() => TestIssuance.Validate(request, authorities["EC-P256"]));

        Assert.Equal(rejected, exception is RpcException { StatusCode: StatusCode.InvalidArgument });
        Assert.Equal(rejected, exception?.Message.Contains("in base64; the maximum is 64") ?? false);
    }

    [Fact]
    public void AltNameBase64Rejected()
    {
        var request = TestIssuance.Request();
        request.SubjectAltNames.Add(new SubjectAltNameRule
        {
            Type = SubjectAltNameType.Dns,
            Value = new NameRule { StaticValue = "device", Base64Encode = true },
        });

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["EC-P256"]));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("subject_alt_names[0].value.base64_encode", exception.Status.Detail);
    }
}
