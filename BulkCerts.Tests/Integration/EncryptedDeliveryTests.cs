using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BulkCerts.Api.Tasks;
using BulkCerts.Tests.Support;
using StackExchange.Redis;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Server-made keys delivered as PKCS#12 or DER files, and downloads encrypted to a recipient
/// certificate as CMS EnvelopedData, checked with openssl.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class EncryptedDeliveryTests(BulkCertsAppFixture fixture) : IDisposable
{
    private const string Password = BulkCertsAppFixture.Pkcs12Password;

    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(3);

    private readonly string _folder = Directory.CreateTempSubdirectory("bulkcerts-delivery-").FullName;

    [Theory]
    [InlineData("EC-P256", 3, true)]
    [InlineData("Ed25519", 2, false)]
    [InlineData("RSA-2048", 2, true)]
    public async Task Pkcs12FilesOpenWithOpenssl(string algorithm, int quantity, bool includeCa)
    {
        var chain = includeCa ? "true" : "false";
        var body = $$$"""
            {"quantity": {{{quantity}}}, "certInfo": {"commonName": "p12-{{{algorithm}}}",
             "keyAlgorithm": "{{{algorithm}}}", "includeCA": {{{chain}}}, "outputFormat": "PKCS12",
             "pkcs12Password": "{{{Password}}}"}}
            """;
        var taskId = await CreateCompleteTaskAsync(body);
        await AssertPasswordNotStoredAsync(taskId);

        var entries = await DownloadFilesAsync(taskId);
        var manifest = ReadManifest(entries);
        Assert.Equal(quantity, manifest.Count);
        Assert.Equal(quantity * 2 + 1, entries.Count);
        foreach (var (commonName, certId) in manifest)
        {
            Assert.DoesNotContain($"{certId}_key.pem", entries.Keys);
            var p12 = await WriteAsync($"{certId}.p12", entries[$"{certId}.p12"]);
            var certificate = await WriteAsync($"{certId}_cert.pem", entries[$"{certId}_cert.pem"]);

            var info = await RunOpensslAsync("pkcs12", "-info", "-in", p12, "-passin", $"pass:{Password}", "-noout");
            Assert.Contains("MAC: sha256", info.Error);
            Assert.Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", info.Error);
            Assert.Contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC", info.Error);
            Assert.Contains("PRF hmacWithSHA256", info.Error);

            var opened = await RunOpensslAsync("pkcs12", "-in", p12, "-passin", $"pass:{Password}", "-nodes");
            Assert.Contains($"friendlyName: {commonName}", opened.Output);
            Assert.Equal(includeCa ? 2 : 1, CountOf(opened.Output, "-----BEGIN CERTIFICATE-----"));

            var key = Path.Combine(_folder, $"{certId}.key");
            await RunOpensslAsync(
                "pkcs12", "-in", p12, "-passin", $"pass:{Password}", "-nocerts", "-nodes", "-out", key);
            await AssertKeyMatchesAsync(key, "PEM", certificate, "PEM");
            await RunOpensslAsync("verify", "-CAfile", fixture.DefaultCaCertificatePath, certificate);

            var wrong = await Openssl.RunAsync(
                _folder, "pkcs12", "-in", p12, "-passin", "pass:wrong-password", "-nodes");
            Assert.NotEqual(0, wrong.ExitCode);
        }
    }

    [Fact]
    public async Task DeletedTaskLosesItsPassword()
    {
        var body = $$$"""
            {"quantity": 2000, "certInfo": {"commonName": "p12-deleted", "keyAlgorithm": "EC-P256",
             "outputFormat": "pkcs12", "pkcs12Password": "{{{Password}}}"}}
            """;
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        await using var redis = await fixture.ConnectRedisAsync();
        var stored = (byte[]?)await redis.GetDatabase().StringGetAsync(TaskKeys.Pkcs12Password(taskId));

        using var deleted = await fixture.Api.DeleteAsync($"/certificates/{taskId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.NotNull(stored);
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Password)));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(TaskKeys.Pkcs12Password(taskId)));
    }

    [Fact]
    public async Task IdempotencyRecordCannotTestPasswords()
    {
        const string Route = "/certificates";
        var body = $$$"""
            {"quantity": 1, "certInfo": {"commonName": "p12-replay", "keyAlgorithm": "EC-P256",
             "outputFormat": "pkcs12", "pkcs12Password": "{{{Password}}}"}}
            """;
        var key = Guid.NewGuid().ToString();
        using var request = TaskClient.JsonRequest(HttpMethod.Post, Route, body);
        request.Headers.Add("Idempotency-Key", key);
        using var response = await fixture.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // A plain hash of the path and body would let a reader of Redis test password guesses.
        var plainHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Route}\n{body}")));
        await using var redis = await fixture.ConnectRedisAsync();
        var server = redis.GetServers()[0];
        var claims = new List<string>();
        await foreach (var claimKey in server.KeysAsync(pattern: "bulkcerts:idempotency:*"))
        {
            claims.Add((string?)await redis.GetDatabase().StringGetAsync(claimKey) ?? string.Empty);
        }

        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var taskId = created.RootElement.GetProperty("taskId").GetString()!;
        var claim = Assert.Single(claims, value => value.StartsWith(taskId, StringComparison.Ordinal));
        Assert.DoesNotContain(plainHash, claim);
        Assert.Matches($"^{taskId} [0-9a-f]{{64}}$", claim);
    }

    [Fact]
    public async Task DerFilesReadWithOpenssl()
    {
        foreach (var algorithm in new[] { "EC-P256", "RSA-2048" })
        {
            var body = $$$"""
                {"quantity": 2, "certInfo": {"commonName": "der-{{{algorithm}}}", "keyAlgorithm": "{{{algorithm}}}",
                 "outputFormat": "der"}}
                """;
            var taskId = await CreateCompleteTaskAsync(body);
            var entries = await DownloadFilesAsync(taskId);
            var manifest = ReadManifest(entries);
            Assert.Equal(5, entries.Count);
            foreach (var (_, certId) in manifest)
            {
                var certificate = await WriteAsync($"{certId}_cert.der", entries[$"{certId}_cert.der"]);
                var key = await WriteAsync($"{certId}_key.der", entries[$"{certId}_key.der"]);
                await RunOpensslAsync("x509", "-inform", "DER", "-in", certificate, "-noout");
                await AssertKeyMatchesAsync(key, "DER", certificate, "DER");
                // PKCS#1 for RSA (no algorithm identifier), as the PEM label RSA PRIVATE KEY names. PKCS#8 for EC.
                var parsed = await RunOpensslAsync("asn1parse", "-inform", "DER", "-in", key);
                if (algorithm == "RSA-2048")
                {
                    Assert.DoesNotContain("rsaEncryption", parsed.Output);
                }
                else
                {
                    Assert.Contains("id-ecPublicKey", parsed.Output);
                }
            }
        }
    }

    [Fact]
    public async Task RecipientDecryptsWholeDownload()
    {
        var (recipient, recipientKey) = await CreateRecipientAsync("recipient");
        var taskId = await CreateCompleteTaskAsync(RecipientBody("p7m-whole", 120, recipient));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{taskId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/pkcs7-mime"));
        using var response = await fixture.Api.SendAsync(request);

        var p7m = await ReadEnvelopedAsync(response, $"{taskId}.p7m");
        var structure = await RunOpensslAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", p7m);
        Assert.Contains("aes-256-cbc", structure.Output);
        Assert.Contains("rsaEncryption", structure.Output);

        var entries = await DecryptZipAsync(p7m, recipient, recipientKey);
        var manifest = TaskClient.ReadManifest(entries);
        Assert.Equal(120, manifest.Count);
        Assert.Equal(241, entries.Count);
        await IssuedCertificates.AssertOpensslVerifiesAsync(
            entries, manifest.Take(5).ToList(), fixture.DefaultCaCertificatePath);

        var (other, otherKey) = await CreateRecipientAsync("other");
        var rejected = await Openssl.RunAsync(_folder,
            "cms", "-decrypt", "-inform", "DER", "-in", p7m, "-recip", other, "-inkey", otherKey, "-out", "other.zip");
        Assert.NotEqual(0, rejected.ExitCode);
    }

    [Fact]
    public async Task SignedChunkUrlYieldsP7m()
    {
        var (recipient, recipientKey) = await CreateRecipientAsync("chunk-recipient");
        var taskId = await CreateCompleteTaskAsync(RecipientBody("p7m-chunk", 120, recipient));

        using var urlRequest = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{taskId}?downloadType=signedUrl");
        urlRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var urlResponse = await fixture.Api.SendAsync(urlRequest);
        var urls = JsonSerializer.Deserialize<List<string>>(await urlResponse.Content.ReadAsStringAsync())!;
        Assert.Equal(2, urls.Count);

        using var anonymous = fixture.CreateClient(apiKey: null);
        using var response = await anonymous.GetAsync(urls[1]);

        var p7m = await ReadEnvelopedAsync(response, $"{taskId}-chunk-2.p7m");
        var entries = await DecryptZipAsync(p7m, recipient, recipientKey);
        var manifest = TaskClient.ReadManifest(entries);
        Assert.Equal(20, manifest.Count);
        await IssuedCertificates.AssertOpensslVerifiesAsync(entries, manifest, fixture.DefaultCaCertificatePath);
    }

    [Fact]
    public async Task SignedCsrsArriveEncryptedAsDer()
    {
        var (recipient, recipientKey) = await CreateRecipientAsync("csr-recipient");
        var csrs = new[] { TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=csr-der-1"), "garbage" };
        var body = JsonSerializer.Serialize(new
        {
            csrs,
            certInfo = new { outputFormat = "der", recipientCertificate = await File.ReadAllTextAsync(recipient) },
        });
        var taskId = await CreateCompleteTaskAsync(body);

        using var response = await fixture.Api.GetAsync($"/certificates/{taskId}");
        var p7m = await ReadEnvelopedAsync(response, $"{taskId}.p7m");
        var zip = p7m + ".zip";
        await RunOpensslAsync(
            "cms", "-decrypt", "-inform", "DER", "-in", p7m, "-recip", recipient, "-inkey", recipientKey, "-out", zip);
        await using var zipStream = File.OpenRead(zip);
        var entries = await ReadEntriesAsync(zipStream);

        var (_, certId) = Assert.Single(ReadManifest(entries));
        string[] expected = [$"{certId}_cert.der", "certificate_manifest.json", "errors.json"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        var certificate = await WriteAsync($"{certId}_cert.der", entries[$"{certId}_cert.der"]);
        var subject = await RunOpensslAsync("x509", "-inform", "DER", "-in", certificate, "-noout", "-subject");
        Assert.Contains("CN=csr-der-1", subject.Output.Replace(" = ", "=", StringComparison.Ordinal));
        Assert.Contains("\"row\":2", Encoding.UTF8.GetString(entries["errors.json"]).Replace(" ", string.Empty));
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "\"outputFormat\": \"jks\"", "certInfo.outputFormat 'jks' is not supported; use one of pem, pkcs12, der." },
        { "\"outputFormat\": \"pkcs12\"", "certInfo.pkcs12Password is required" },
        { "\"pkcs12Password\": \"only-a-password\"", "certInfo.pkcs12Password is set, but certInfo.outputFormat is" },
        { "\"outputFormat\": \"der\", \"includeCA\": true", "cannot be combined with certInfo.includeCA" },
        { "\"recipientCertificate\": \"garbage\"", "certInfo.recipientCertificate contains no PEM certificate" },
        {
            "\"recipientCertificate\": " +
                JsonSerializer.Serialize(RecipientCertificateFiles.Rsa(notAfter: DateTimeOffset.UtcNow.AddDays(-2))),
            "expired at"
        },
        {
            "\"recipientCertificate\": " + JsonSerializer.Serialize(RecipientCertificateFiles.Rsa(keySize: 1024)),
            "has an RSA key of 1024 bits; the minimum is 2048"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidDeliveryIsRejected(string certInfo, string expected)
    {
        var body = "{\"quantity\": 2, \"certInfo\": {\"commonName\": \"rejected\", " + certInfo + "}}";
        using var response = await fixture.Api.SendAsync(
            TaskClient.JsonRequest(HttpMethod.Post, "/certificates", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await TaskClient.ReadMessageAsync(response));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string RecipientBody(string commonName, int quantity, string recipientPath) =>
        $"{{\"quantity\": {quantity}, \"certInfo\": {{\"commonName\": \"{commonName}\", " +
        "\"keyAlgorithm\": \"EC-P256\", " +
        $"\"recipientCertificate\": {JsonSerializer.Serialize(File.ReadAllText(recipientPath))}}}}}";

    private async Task<string> CreateCompleteTaskAsync(string body)
    {
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
        return taskId;
    }

    /// <summary>Checks that no Redis key of the task contains the password, and its encrypted copy is gone.</summary>
    private async Task AssertPasswordNotStoredAsync(string taskId)
    {
        await using var redis = await fixture.ConnectRedisAsync();
        var database = redis.GetDatabase();
        var request = (string?)await database.HashGetAsync(TaskKeys.Task(taskId), "request");
        Assert.NotNull(request);
        Assert.DoesNotContain(Password, request);
        Assert.DoesNotContain("pkcs12Password", request, StringComparison.OrdinalIgnoreCase);
        Assert.False(await database.KeyExistsAsync(TaskKeys.Pkcs12Password(taskId)));

        var fields = await database.HashGetAllAsync(TaskKeys.Task(taskId));
        Assert.DoesNotContain(fields, field => field.Value.ToString().Contains(Password, StringComparison.Ordinal));
    }

    private async Task<Dictionary<string, byte[]>> DownloadFilesAsync(string taskId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{taskId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/zip"));
        using var response = await fixture.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync();
        return await ReadEntriesAsync(body);
    }

    private static async Task<Dictionary<string, byte[]>> ReadEntriesAsync(Stream zip)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read);
        var entries = new Dictionary<string, byte[]>();
        foreach (var entry in archive.Entries)
        {
            await using var stream = entry.Open();
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes);
            entries.Add(entry.FullName, bytes.ToArray());
        }

        return entries;
    }

    private static List<(string CommonName, string CertId)> ReadManifest(Dictionary<string, byte[]> entries) =>
        TaskClient.ReadManifest(new Dictionary<string, string>
        {
            ["certificate_manifest.json"] = Encoding.UTF8.GetString(entries["certificate_manifest.json"]),
        });

    /// <summary>Checks the response headers of an encrypted download and saves its body.</summary>
    private async Task<string> ReadEnvelopedAsync(HttpResponseMessage response, string fileName)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var contentType = response.Content.Headers.ContentType!;
        Assert.Equal("application/pkcs7-mime", contentType.MediaType);
        Assert.Contains(contentType.Parameters, parameter =>
            parameter.Name == "smime-type" && parameter.Value == "enveloped-data");
        Assert.Equal(fileName, response.Content.Headers.ContentDisposition?.FileName);

        var path = Path.Combine(_folder, fileName);
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    private async Task<Dictionary<string, string>> DecryptZipAsync(string p7m, string recipient, string recipientKey)
    {
        var zip = p7m + ".zip";
        await RunOpensslAsync(
            "cms", "-decrypt", "-inform", "DER", "-in", p7m, "-recip", recipient, "-inkey", recipientKey, "-out", zip);
        using var archive = ZipFile.OpenRead(zip);
        var entries = new Dictionary<string, string>();
        foreach (var entry in archive.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            entries.Add(entry.FullName, await reader.ReadToEndAsync());
        }

        return entries;
    }

    /// <summary>Makes an RSA key and a self-signed certificate with openssl and returns their paths.</summary>
    private async Task<(string Certificate, string Key)> CreateRecipientAsync(string name)
    {
        var certificate = Path.Combine(_folder, $"{name}.pem");
        var key = Path.Combine(_folder, $"{name}.key");
        await RunOpensslAsync(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", key, "-out", certificate,
            "-subj", $"/CN={name}", "-addext", "keyUsage=critical,keyEncipherment");
        return (certificate, key);
    }

    private async Task AssertKeyMatchesAsync(string key, string keyForm, string certificate, string certificateForm)
    {
        var fromKey = await RunOpensslAsync("pkey", "-inform", keyForm, "-in", key, "-pubout");
        var fromCertificate = await RunOpensslAsync(
            "x509", "-inform", certificateForm, "-in", certificate, "-pubkey", "-noout");
        Assert.Equal(fromCertificate.Output, fromKey.Output);
    }

    private async Task<string> WriteAsync(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    private async Task<OpensslResult> RunOpensslAsync(params string[] arguments)
    {
        var result = await Openssl.RunAsync(_folder, arguments);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', arguments)}: {result.Error}");
        return result;
    }

    private static int CountOf(string text, string value) =>
        (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
}
