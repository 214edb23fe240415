using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace BulkCerts.CertEngine.Tests;

public sealed class RevocationListTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Theory]
    [InlineData("RSA", "sha256WithRSAEncryption")]
    [InlineData("EC-P256", "ecdsa-with-SHA256")]
    [InlineData("Ed25519", "ED25519")]
    public async Task SignedListVerifiesWithOpenssl(string caKeyType, string signatureAlgorithm)
    {
        var request = Request(crlNumber: 7);
        request.Revoked.Add(Entry("4A0B9C", reason: 1));
        request.Revoked.Add(Entry("5F00FF11", reason: 0));
        request.Revoked.Add(Entry("0080FF", reason: 10));

        var der = RevocationListFactory.Sign(request, authorities[caKeyType], Now);
        var path = authorities.Folder.File($"list-{caKeyType}.crl");
        await File.WriteAllBytesAsync(path, der);
        var verify = await Openssl.RunAsync(authorities.Folder.Path,
            "crl", "-inform", "DER", "-in", path, "-CAfile", authorities.CertificatePath(caKeyType), "-noout");
        var text = await OpensslAuthority.RunAsync(
            authorities.Folder, "crl", "-inform", "DER", "-in", path, "-noout", "-text");

        Assert.True(verify.ExitCode == 0, verify.Error);
        Assert.Contains("verify OK", verify.Output + verify.Error);
        Assert.Contains($"Signature Algorithm: {signatureAlgorithm}", text);
        Assert.Contains("X509v3 CRL Number: \n                7", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains("Serial Number: 4A0B9C", text);
        Assert.Contains("Key Compromise", text);
        Assert.Contains("Serial Number: 5F00FF11", text);
        Assert.Contains("Serial Number: 80FF", text);
        Assert.Contains("AA Compromise", text);
        Assert.Equal(2, text.Split("CRL Reason Code").Length - 1);
        CertificateRevocationListBuilder.Load(der, out var number);
        Assert.Equal(7, number);
    }

    [Fact]
    public async Task EmptyListVerifiesWithOpenssl()
    {
        var der = RevocationListFactory.Sign(Request(crlNumber: 1), authorities["Ed25519"], Now);
        var path = authorities.Folder.File("empty.crl");
        await File.WriteAllBytesAsync(path, der);

        var verify = await Openssl.RunAsync(authorities.Folder.Path,
            "crl", "-inform", "DER", "-in", path, "-CAfile", authorities.CertificatePath("Ed25519"), "-noout");
        var text = await OpensslAuthority.RunAsync(
            authorities.Folder, "crl", "-inform", "DER", "-in", path, "-noout", "-text");

        Assert.Contains("verify OK", verify.Output + verify.Error);
        Assert.Contains("No Revoked Certificates", text);
    }

    [Fact]
    public async Task ListFromOtherCaFailsVerification()
    {
        var der = RevocationListFactory.Sign(Request(crlNumber: 2), authorities["RSA"], Now);
        var path = authorities.Folder.File("rsa-checked-by-ec.crl");
        await File.WriteAllBytesAsync(path, der);

        var verify = await Openssl.RunAsync(authorities.Folder.Path,
            "crl", "-inform", "DER", "-in", path, "-CAfile", authorities.CertificatePath("EC-P256"), "-noout");

        Assert.DoesNotContain("verify OK", verify.Output + verify.Error);
    }

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { "crl number zero", "crl_number is 0" },
        { "odd serial", "'ABC' is not a serial number" },
        { "non-hex serial", "'XYZ1' is not a serial number" },
        { "padded serial", "0001 is not a positive integer in its shortest form" },
        { "negative serial", "80 is not a positive integer in its shortest form" },
        { "remove from list", "reason 8 is not a CRLReason" },
        { "reason seven", "reason 7 is not a CRLReason" },
        { "duplicate serial", "is listed twice" },
        { "next before this", "must lie after this_update" },
        { "this in future", "is in the future" },
        { "revoked after this", "is after this_update" },
        { "missing dates", "this_update is missing" },
        { "missing revocation date", "revocation_date is missing" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public void InvalidRequestIsRejected(string problem, string expected)
    {
        var request = Request(crlNumber: 3);
        var entry = Entry("0A", reason: 1);
        switch (problem)
        {
            case "crl number zero": request.CrlNumber = 0; break;
            case "odd serial": entry.SerialNumber = "ABC"; break;
            case "non-hex serial": entry.SerialNumber = "XYZ1"; break;
            case "padded serial": entry.SerialNumber = "0001"; break;
            case "negative serial": entry.SerialNumber = "80"; break;
            case "remove from list": entry.Reason = 8; break;
            case "reason seven": entry.Reason = 7; break;
            case "duplicate serial": request.Revoked.Add(Entry("0a", reason: 0)); break;
            case "next before this": request.NextUpdate = Timestamp.FromDateTimeOffset(Now.AddHours(-1)); break;
            case "this in future": request.ThisUpdate = Timestamp.FromDateTimeOffset(Now.AddHours(1)); break;
            case "revoked after this": entry.RevocationDate = Timestamp.FromDateTimeOffset(Now.AddSeconds(1)); break;
            case "missing dates": request.ThisUpdate = null; break;
            case "missing revocation date": entry.RevocationDate = null; break;
        }

        request.Revoked.Insert(0, entry);

        var error = Assert.Throws<RpcException>(() => RevocationListFactory.Sign(request, authorities["RSA"], Now));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail);
    }

    private static SignRevocationListRequest Request(long crlNumber) => new()
    {
        CertificateAuthority = "test",
        CrlNumber = crlNumber,
        ThisUpdate = Timestamp.FromDateTimeOffset(Now),
        NextUpdate = Timestamp.FromDateTimeOffset(Now.AddDays(7)),
    };

    private static RevokedCertificate Entry(string serial, int reason) => new()
    {
        SerialNumber = serial,
        RevocationDate = Timestamp.FromDateTimeOffset(Now.AddMinutes(-10)),
        Reason = reason,
    };
}
