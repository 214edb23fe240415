using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class IssuanceTests(BulkCertsAppFixture fixture)
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task IssuesVerifiableCertificatesWithCaChain()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 250, "certInfo": {"commonName": "sensor-test", "includeCA": true}}""");

        using (var early = await fixture.Api.GetAsync($"/certificates/{taskId}"))
        {
            Assert.Equal(HttpStatusCode.SeeOther, early.StatusCode);
            Assert.Equal($"/certificates/{taskId}/task", early.Headers.Location?.OriginalString);
        }

        var (status, seen) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.Equal("complete", status.GetProperty("status").GetString());
        Assert.Equal(3, status.GetProperty("chunksTotal").GetInt32());
        Assert.Equal(0, status.GetProperty("chunksPending").GetInt32());
        Assert.Contains("in_progress", seen);

        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);
        var manifest = TaskClient.ReadManifest(entries);
        Assert.Equal(250, manifest.Count);
        Assert.Equal(250 * 2 + 1, entries.Count);

        var caPem = (await File.ReadAllTextAsync(fixture.DefaultCaCertificatePath)).Trim();
        var serials = new HashSet<string>();
        var certIds = new HashSet<string>();
        foreach (var (commonName, certId) in manifest)
        {
            Assert.Equal("sensor-test", commonName);
            Assert.True(certIds.Add(certId), $"certId {certId} appears twice in the manifest");

            var certificatePem = entries[$"{certId}_cert.pem"];
            var keyPem = entries[$"{certId}_key.pem"];
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(certificatePem);
            Assert.Equal(2, chain.Count);
            Assert.Equal(caPem, chain[1].ExportCertificatePem());

            var device = chain[0];
            Assert.Equal(certId, device.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant());
            Assert.Equal("sensor-test", device.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
            Assert.True(serials.Add(device.SerialNumber), $"serial {device.SerialNumber} appears twice");
            Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", keyPem);
            AssertKeyMatches(device, keyPem);
        }

        await IssuedCertificates.AssertOpensslVerifiesAsync(entries, manifest, fixture.DefaultCaCertificatePath);
    }

    [Fact]
    public async Task CertificateHasVersion3ClientExtensions()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "extensions-test", "daysExpiry": 30}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);
        var (_, certId) = Assert.Single(TaskClient.ReadManifest(entries));

        var text = await Openssl.DescribeCertificateAsync(entries[$"{certId}_cert.pem"]);

        Assert.Contains("Version: 3 (0x2)", text);
        Assert.Matches(@"Basic Constraints: critical\s+CA:FALSE", text);
        Assert.Matches(@"Key Usage: critical\s+Digital Signature, Key Encipherment", text);
        Assert.Matches(@"Extended Key Usage:\s+TLS Web Client Authentication", text);
        Assert.Contains("X509v3 Subject Key Identifier", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);

        var device = X509Certificate2.CreateFromPem(entries[$"{certId}_cert.pem"]);
        Assert.InRange((device.NotAfter - device.NotBefore).TotalDays, 30, 30.01);
        Assert.True(device.SerialNumberBytes.Length >= 8, "the serial has fewer than 64 bits");
        Assert.True(device.SerialNumberBytes.Span[0] < 0x80, "the serial is negative");
    }

    [Fact]
    public async Task SupplierTaskIsSignedBySupplierCa()
    {
        var path = $"/supplier/{BulkCertsAppFixture.SupplierId.ToLowerInvariant()}/certificates";
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            path,
            """{"quantity": 3, "certInfo": {"commonName": "supplier-device"}}""");

        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.Equal("complete", status.GetProperty("status").GetString());
        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);
        var manifest = TaskClient.ReadManifest(entries);
        Assert.Equal(3, manifest.Count);

        await IssuedCertificates.AssertOpensslVerifiesAsync(entries, manifest, fixture.SupplierCaCertificatePath);
        var againstDefault = await IssuedCertificates.VerifyAsync(entries, manifest, fixture.DefaultCaCertificatePath);
        Assert.NotEqual(0, againstDefault.ExitCode);
    }

    private static void AssertKeyMatches(X509Certificate2 certificate, string keyPem)
    {
        using var key = RSA.Create();
        key.ImportFromPem(keyPem);
        var data = "proof of possession"u8.ToArray();
        var signature = key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        using var publicKey = certificate.GetRSAPublicKey()!;
        Assert.True(publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }
}
