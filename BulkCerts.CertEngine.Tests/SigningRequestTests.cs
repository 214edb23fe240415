using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Google.Protobuf;
using Grpc.Core;

namespace BulkCerts.CertEngine.Tests;

public sealed class SigningRequestTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    public static TheoryData<string> GoodKinds => ["RSA-2048", "RSA-PSS", "EC-P256", "EC-P384", "Ed25519"];

    [Theory]
    [MemberData(nameof(GoodKinds))]
    public async Task GoodRequestVerifiesWithOpenssl(string kind)
    {
        var der = kind switch
        {
            "RSA-2048" => TestSigningRequests.Rsa(2048),
            "RSA-PSS" => TestSigningRequests.Rsa(2048, pss: true),
            "EC-P256" => TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256),
            "EC-P384" => TestSigningRequests.Ec(ECCurve.NamedCurves.nistP384),
            _ => TestSigningRequests.Ed25519(),
        };

        var issued = Sign(Request(der)).Single();
        var requestPath = authorities.Folder.File($"{Guid.NewGuid():N}.csr");
        File.WriteAllText(requestPath, PemEncoding.WriteString("CERTIFICATE REQUEST", der));
        var (certificatePath, _) = IssuedFiles.Write(authorities.Folder, issued);
        var verify = await Openssl.RunAsync(
            authorities.Folder.Path, "verify", "-CAfile", authorities.CertificatePath("RSA"), certificatePath);
        var certificateKey = await OpensslAuthority.RunAsync(
            authorities.Folder, "x509", "-in", certificatePath, "-pubkey", "-noout");
        var requestKey = await OpensslAuthority.RunAsync(
            authorities.Folder, "req", "-in", requestPath, "-pubkey", "-noout");
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.Equal(string.Empty, issued.Error);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal(requestKey, certificateKey);
        Assert.Equal(string.Empty, issued.PrivateKeyPem);
        Assert.Equal("sensor-17", issued.CommonName);
        Assert.Equal(TestSigningRequests.Subject, issued.Subject);
        Assert.Equal(certificate.Subject, issued.Subject);
        Assert.Equal(authorities["RSA"].Certificate.Subject, issued.Issuer);
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal("sensor-17.devices.example",
            certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().Single());
    }

    [Fact]
    public void ShortRsaKeyIsRowError()
    {
        var issued = Sign(Request(TestSigningRequests.Rsa(1024))).Single();

        Assert.Equal("RSA key of 1024 bits; at least 2048 bits are required", issued.Error);
        Assert.Equal(string.Empty, issued.CertificatePem);
    }

    [Fact]
    public void CorruptSignatureIsRowError()
    {
        var der = TestSigningRequests.WithCorruptSignature(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256));

        Assert.Equal("signature does not verify", Sign(Request(der)).Single().Error);
    }

    [Fact]
    public void CorruptEd25519SignatureIsRowError()
    {
        var der = TestSigningRequests.WithCorruptSignature(TestSigningRequests.Ed25519());

        Assert.Equal("signature does not verify", Sign(Request(der)).Single().Error);
    }

    [Fact]
    public void GarbageBytesAreRowError()
    {
        var issued = Sign(Request("not a request"u8.ToArray())).Single();

        Assert.StartsWith("not a PKCS#10 request: ", issued.Error);
        Assert.Equal(string.Empty, issued.CertId);
    }

    [Fact]
    public void EmptyDerIsRowError()
    {
        var issued = Sign(Request(Array.Empty<byte>())).Single();

        Assert.StartsWith("not a PKCS#10 request: it is empty", issued.Error);
    }

    [Fact]
    public void P521KeyIsRowError()
    {
        var issued = Sign(Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP521))).Single();

        Assert.Equal("EC key on curve P-521 (1.3.132.0.35); only P-256 and P-384 are accepted", issued.Error);
    }

    [Fact]
    public async Task ExplicitCurveParametersAreRowError()
    {
        // .NET cannot write a request with explicit curve parameters, so openssl makes it.
        var name = Guid.NewGuid().ToString("N");
        await OpensslAuthority.RunAsync(authorities.Folder, "ecparam", "-name", "prime256v1", "-param_enc", "explicit",
            "-genkey", "-noout", "-out", $"{name}.key");
        await OpensslAuthority.RunAsync(authorities.Folder, "req", "-new", "-key", $"{name}.key",
            "-subj", "/CN=explicit", "-outform", "DER", "-out", $"{name}.der");
        var der = File.ReadAllBytes(authorities.Folder.File($"{name}.der"));

        var issued = Sign(Request(der)).Single();

        Assert.StartsWith("the request cannot be read or its signature checked", issued.Error);
        Assert.Equal(string.Empty, issued.CertificatePem);
    }

    [Fact]
    public void OverlongSubjectNameIsRowError()
    {
        var der = TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, "CN=" + new string('a', 5000));

        var issued = Sign(Request(der)).Single();

        Assert.EndsWith("has 5000 characters; the maximum is 64", issued.Error);
    }

    [Fact]
    public void ControlCharacterInSubjectIsRowError()
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName("line\r\nbreak");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest(builder.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequest();

        var issued = Sign(Request(der)).Single();

        Assert.EndsWith("contains a control or format character", issued.Error);
    }

    [Fact]
    public void OverridesKeepOtherAttributesInOrder()
    {
        var request = Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, "CN=odd, DC=example, DC=com"));
        request.Subject = new Subject { Country = "de" };

        var issued = Sign(request).Single();

        Assert.Equal("DC=example, DC=com, CN=odd, C=DE", issued.Subject);
    }

    [Fact]
    public void EmptySubjectIsRowError()
    {
        var issued = Sign(Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, subject: ""))).Single();

        Assert.Equal("the subject is empty and has no common name; set commonName in the request or the row",
            issued.Error);
    }

    [Fact]
    public void EmptySubjectTakesOverriddenName()
    {
        var request = Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, subject: ""));
        request.SigningRequests[0].SubjectOverride = new Subject { CommonName = Static("row-name") };

        var issued = Sign(request).Single();

        Assert.Equal("CN=row-name", issued.Subject);
        Assert.Equal("row-name", issued.CommonName);
    }

    [Fact]
    public void BadOverrideIsRowError()
    {
        var request = Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256));
        request.SigningRequests[0].SubjectOverride = new Subject { Country = "Germany" };

        var issued = Sign(request).Single();

        Assert.Equal("country 'Germany' is not a two-letter ISO 3166-1 code", issued.Error);
    }

    [Fact]
    public void LongOverrideIsRowError()
    {
        var request = Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256));
        request.SigningRequests[0].SubjectOverride = new Subject { CommonName = Static(new string('x', 65)) };

        var issued = Sign(request).Single();

        Assert.StartsWith("commonName 'xxxx", issued.Error);
        Assert.EndsWith("has 65 characters; the maximum is 64", issued.Error);
    }

    [Fact]
    public void OverridesRebuildSubjectInOrder()
    {
        var request = Request(
            TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, "CN=csr-name, OU=Line 2, O=Csr Org"),
            TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, "CN=csr-name, OU=Line 2, O=Csr Org"));
        request.Subject = new Subject { Organization = "Request Org", Country = "fr" };
        request.SigningRequests[1].SubjectOverride = new Subject
        {
            CommonName = Static("row-name"),
            Country = "IT",
            EmailAddress = "ops@example.com",
        };

        var issued = Sign(request);

        Assert.Equal("CN=csr-name, OU=Line 2, O=Request Org, C=FR", issued[0].Subject);
        Assert.Equal("E=ops@example.com, CN=row-name, OU=Line 2, O=Request Org, C=IT", issued[1].Subject);
        Assert.Equal("row-name", issued[1].CommonName);
    }

    [Fact]
    public void RequestsWithoutOverridesKeepSubjectBytes()
    {
        // Order and encoding as the device wrote them: O before CN, as PrintableString.
        var der = TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256, "O=Devices, CN=unusual-order");
        var issued = Sign(Request(der)).Single();
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.Equal(new X500DistinguishedName("O=Devices, CN=unusual-order").RawData,
            certificate.SubjectName.RawData);
    }

    [Fact]
    public void CountDifferentFromRequestsIsRejected()
    {
        var request = Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256));
        request.Count = 2;

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["RSA"]));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Equal(
            "count 2 differs from the 1 signing_requests; set count to their number.", exception.Status.Detail);
    }

    [Fact]
    public void GeneratedCommonNameIsRejected()
    {
        var request = Request(TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256));
        request.Subject = new Subject { CommonName = new NameRule { Prefix = "d-", IncrementStart = "01" } };

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["RSA"]));

        Assert.StartsWith("subject.common_name of a request with signing_requests must be a static_value",
            exception.Status.Detail);
    }

    [Fact]
    public void OverPerRequestMaximumIsRejected()
    {
        var der = TestSigningRequests.Ec(ECCurve.NamedCurves.nistP256);
        var request = Request([.. Enumerable.Repeat(der, 1001)]);

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["RSA"]));

        Assert.Equal("count 1001 is out of range; use 1 to 1000.", exception.Status.Detail);
    }

    private static NameRule Static(string value) => new() { StaticValue = value };

    private static IssueCertificatesRequest Request(params byte[][] requests)
    {
        var request = new IssueCertificatesRequest { Count = requests.Length, DaysExpiry = 7 };
        request.SigningRequests.AddRange(requests.Select(der => new SigningRequest { Der = ByteString.CopyFrom(der) }));
        return request;
    }

    private List<IssuedCertificate> Sign(IssueCertificatesRequest request)
    {
        var issuance = TestIssuance.Validate(request, authorities["RSA"]);
        return [.. Enumerable.Range(0, issuance.Count)
            .Select(offset => SigningRequestCertificateFactory.Issue(issuance, offset))];
    }
}
