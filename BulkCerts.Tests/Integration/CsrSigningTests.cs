using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Tasks that sign the devices' own certification requests, sent as a JSON array or as an
/// application/x-ndjson upload, checked with openssl.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class CsrSigningTests(BulkCertsAppFixture fixture)
{
    private const string Ndjson = "application/x-ndjson";

    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task MixedRequestsCompleteWithRejections()
    {
        string[] good =
        [
            TestCsrs.Rsa(2048, "CN=rsa-device, O=Devices Inc, C=DE"),
            TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=ec-device, OU=Line 4"),
            await TestCsrs.Ed25519Async("/C=SE/O=Edwards/CN=ed-device"),
        ];
        string[] bad =
        [
            TestCsrs.Rsa(1024, "CN=weak-device"),
            TestCsrs.WithCorruptSignature(TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=tampered")),
            "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n",
            TestCsrs.Ec(ECCurve.NamedCurves.nistP521, "CN=p521-device"),
        ];
        var body = JsonSerializer.Serialize(new { csrs = good.Concat(bad), certInfo = new { daysExpiry = 30 } });

        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);

        Assert.Equal("complete", status.GetProperty("status").GetString());
        Assert.Equal(7, status.GetProperty("quantity").GetInt32());
        Assert.Equal(3, status.GetProperty("certificatesIssued").GetInt64());
        Assert.Equal(4, status.GetProperty("certificatesRejected").GetInt64());
        Assert.Equal(100, status.GetProperty("percentComplete").GetDouble());
        Assert.DoesNotContain(entries.Keys, name => name.EndsWith("_key.pem", StringComparison.Ordinal));
        Assert.Equal(3, entries.Keys.Count(name => name.EndsWith("_cert.pem", StringComparison.Ordinal)));

        using var manifest = JsonDocument.Parse(entries["certificate_manifest.json"]);
        var rows = manifest.RootElement.EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], rows.Select(row => row.GetProperty("row").GetInt32()));
        Assert.Equal(
            ["rsa-device", "ec-device", "ed-device"],
            rows.Select(row => row.GetProperty("commonName").GetString()));

        var errors = ReadErrors(entries);
        Assert.Equal([4, 5, 6, 7], errors.Select(error => error.Row));
        Assert.Equal("RSA key of 1024 bits; at least 2048 bits are required", errors[0].Reason);
        Assert.Equal("signature does not verify", errors[1].Reason);
        Assert.StartsWith("not a PKCS#10 request: ", errors[2].Reason);
        Assert.Equal("EC key on curve P-521 (1.3.132.0.35); only P-256 and P-384 are accepted", errors[3].Reason);

        for (var index = 0; index < good.Length; index++)
        {
            var certificatePem = entries[$"{rows[index].GetProperty("certId").GetString()}_cert.pem"];
            var (certificate, request) = await CompareAsync(
                certificatePem, good[index], fixture.DefaultCaCertificatePath);
            Assert.Equal(request.PublicKey, certificate.PublicKey);
            Assert.Equal(request.Subject, certificate.Subject);
        }
    }

    [Fact]
    public async Task UploadAppliesRequestAndRowOverrides()
    {
        var csr = TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=csr-name, OU=Csr Unit, O=Csr Org");
        var body = new StringBuilder()
            .Append("{\"certInfo\": {\"organization\": \"Header Org\", \"country\": \"de\", \"includeCA\": true}}\r\n")
            .Append(JsonSerializer.Serialize(new { csr })).Append("\r\n\r\n")
            .Append(JsonSerializer.Serialize(new { csr, commonName = "row-name", country = "SE" })).Append('\n')
            .Append(JsonSerializer.Serialize(new { csr, country = "Sweden" })).Append('\n')
            .ToString();

        var taskId = await CreateUploadAsync($"/supplier/{BulkCertsAppFixture.SupplierId}/certificates", body);
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);

        Assert.Equal("complete", status.GetProperty("status").GetString());
        Assert.Equal(2, status.GetProperty("certificatesIssued").GetInt64());
        Assert.Equal(1, status.GetProperty("certificatesRejected").GetInt64());
        var errors = ReadErrors(entries);
        Assert.Equal(3, errors.Single().Row);
        Assert.Equal("country 'Sweden' is not a two-letter ISO 3166-1 code", errors.Single().Reason);

        var manifest = TaskClient.ReadManifest(entries);
        var first = await CompareAsync(
            entries[$"{manifest[0].CertId}_cert.pem"], csr, fixture.SupplierCaCertificatePath);
        var second = await CompareAsync(
            entries[$"{manifest[1].CertId}_cert.pem"], csr, fixture.SupplierCaCertificatePath);
        Assert.Equal("C = DE, O = Header Org, OU = Csr Unit, CN = csr-name", first.Certificate.Subject);
        Assert.Equal("C = SE, O = Header Org, OU = Csr Unit, CN = row-name", second.Certificate.Subject);
        Assert.Equal(first.Request.PublicKey, first.Certificate.PublicKey);
        Assert.Equal(["csr-name", "row-name"], manifest.Select(entry => entry.CommonName));
    }

    [Fact]
    public async Task SignedChunkUrlCarriesErrors()
    {
        var body = JsonSerializer.Serialize(new
        {
            csrs = new[] { TestCsrs.Ec(ECCurve.NamedCurves.nistP384, "CN=p384-device"), "garbage" },
        });
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);

        using var urlRequest = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{taskId}?downloadType=signedUrl");
        urlRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var urlResponse = await fixture.Api.SendAsync(urlRequest);
        var urls = JsonSerializer.Deserialize<List<string>>(await urlResponse.Content.ReadAsStringAsync())!;
        using var anonymous = fixture.CreateClient(apiKey: null);
        using var chunk = await anonymous.GetAsync(urls.Single());
        var entries = await TaskClient.ReadZipAsync(chunk);

        Assert.Single(entries.Keys, name => name.EndsWith("_cert.pem", StringComparison.Ordinal));
        Assert.DoesNotContain(entries.Keys, name => name.EndsWith("_key.pem", StringComparison.Ordinal));
        Assert.Equal(2, ReadErrors(entries).Single().Row);
    }

    public static TheoryData<string, string> InvalidJsonBodies => new()
    {
        { """{"csrs": []}""", "csrs is an empty array" },
        { """{"csrs": ["a", "b"], "quantity": 3}""", "quantity 3 differs from the 2 entries of csrs" },
        { """{"csrs": ["a"], "certInfo": {"keyAlgorithm": "EC-P256"}}""", "certInfo.keyAlgorithm cannot be set" },
        { """{"csrs": ["a"], "certInfo": {"privateKeyFormat": "pkcs8"}}""", "certInfo.privateKeyFormat cannot be" },
        { """{"csrs": ["a"], "certInfo": {"subjectAltNames": {"dns": ["x"]}}}""", "certInfo.subjectAltNames cannot" },
        { """{"csrs": ["a"], "certInfo": {"commonNameList": ["x"]}}""", "certInfo.commonNameList cannot be set" },
        { """{"csrs": ["a"], "certInfo": {"commonName": "`d-`01${increment}"}}""", "certInfo.commonName '`d-`01" },
        {
            """{"csrs": ["a"], "certInfo": {"outputFormat": "pkcs12", "pkcs12Password": "secret-1"}}""",
            "certInfo.outputFormat 'pkcs12' cannot be used with certification requests"
        },
        { """{"csrs": ["a"], "certInfo": {"outputFormat": "der", "includeCA": true}}""", "certInfo.outputFormat 'der'" },
    };

    [Theory]
    [MemberData(nameof(InvalidJsonBodies))]
    public async Task InvalidCombinationGets400(string body, string expected)
    {
        using var response = await fixture.Api.SendAsync(
            TaskClient.JsonRequest(HttpMethod.Post, "/certificates", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(expected, await TaskClient.ReadMessageAsync(response));
    }

    public static TheoryData<string, string> MalformedUploads => new()
    {
        { "{\"csr\": \"a\"}\nnot json\n", "Line 2 is not valid JSON" },
        { "{\"csr\": \"a\"}\n\n\"text\"\n", "Line 3 is \"text\" (a string), not a JSON object" },
        { "{\"csr\": 1}\n", "Line 1: csr 1 is not a string" },
        { "{\"csr\": \"a\", \"keyAlgorithm\": \"EC-P256\"}\n", "Line 1 has the unknown property 'keyAlgorithm'" },
        { "{\"csr\": \"a\"}\n{\"register\": true}\n", "Line 2 has no csr" },
        { "{\"csrs\": []}\n{\"csr\": \"a\"}\n", "Line 1: csrs cannot be in the settings line" },
    };

    [Theory]
    [MemberData(nameof(MalformedUploads))]
    public async Task MalformedLineGets400(string body, string expected)
    {
        using var response = await PostUploadAsync("/certificates", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(expected, await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task RejectedUploadLeavesNoRows()
    {
        // More rows than one batch, so some are stored before the bad line is read.
        var body = string.Concat(Enumerable.Repeat("{\"csr\": \"a\"}\n", 1500)) + "{\"csr\": \"a\", \"x\": 1}\n";

        using var response = await PostUploadAsync("/certificates", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Line 1501 has the unknown property 'x'", await TaskClient.ReadMessageAsync(response));
        await using var redis = await fixture.ConnectRedisAsync();
        var orphans = redis.GetServers()[0].Keys(pattern: "bulkcerts:task:*:csrs")
            .Where(key => !redis.GetDatabase().KeyExists(key.ToString().Replace(":csrs", string.Empty)))
            .ToList();
        Assert.Empty(orphans);
    }

    [Fact]
    public async Task MoreThanMaxQuantityGets413()
    {
        var json = JsonSerializer.Serialize(new { csrs = Enumerable.Repeat("a", 100_001) });
        var upload = string.Concat(Enumerable.Repeat("{\"csr\": \"a\"}\n", 100_001));

        using var jsonResponse = await fixture.Api.SendAsync(
            TaskClient.JsonRequest(HttpMethod.Post, "/certificates", json));
        using var uploadResponse = await PostUploadAsync("/certificates", upload);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, jsonResponse.StatusCode);
        Assert.StartsWith("csrs has 100001 certification requests; the maximum is 100000",
            await TaskClient.ReadMessageAsync(jsonResponse));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, uploadResponse.StatusCode);
        Assert.StartsWith("The upload has more than 100000 certification requests",
            await TaskClient.ReadMessageAsync(uploadResponse));
    }

    [Fact]
    public async Task UploadOverItsLimitGets413()
    {
        var row = "{\"csr\": \"" + new string('A', 60_000) + "\"}\n";
        var body = string.Concat(Enumerable.Repeat(row, (int)(BulkCertsAppFixture.MaxCsrUploadBytes / 60_000) + 1));
        var expected = $"limit is {BulkCertsAppFixture.MaxCsrUploadBytes} (BulkCerts:MaxCsrUploadBytes)";

        // With Content-Length the limit applies before the body is read; without, while it is read.
        using var declared = await PostUploadAsync("/certificates", body);
        using var chunked = await PostUploadAsync("/certificates", body, chunked: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains(expected, await TaskClient.ReadMessageAsync(declared));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.StartsWith(
            $"The upload is larger than the limit of {BulkCertsAppFixture.MaxCsrUploadBytes} bytes " +
            "(BulkCerts:MaxCsrUploadBytes)",
            await TaskClient.ReadMessageAsync(chunked));
    }

    [Fact]
    public async Task RepeatedUploadReplaysTask()
    {
        var body = JsonSerializer.Serialize(new { csr = TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=replay") });
        var key = Guid.NewGuid().ToString();

        using var first = await PostUploadAsync("/certificates", body, idempotencyKey: key);
        using var second = await PostUploadAsync("/certificates", body, idempotencyKey: key);
        using var different = await PostUploadAsync("/certificates", body + "\n", idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(first.Headers.GetValues("x-taskid").Single(), second.Headers.GetValues("x-taskid").Single());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
    }

    [Fact]
    public async Task RequestsLiveAndDieWithTask()
    {
        var csr = TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=keys");
        var body = JsonSerializer.Serialize(new { csrs = new[] { csr } });
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        await using var redis = await fixture.ConnectRedisAsync();
        var key = $"bulkcerts:task:{{{taskId}}}:csrs";

        var length = await redis.GetDatabase().ListLengthAsync(key);
        var timeToLive = await redis.GetDatabase().KeyTimeToLiveAsync(key);
        using var deleted = await fixture.Api.DeleteAsync($"/certificates/{taskId}");

        Assert.Equal(1, length);
        Assert.NotNull(timeToLive);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(await redis.GetDatabase().KeyExistsAsync(key));
    }

    private static List<(int Row, string Reason)> ReadErrors(Dictionary<string, string> entries)
    {
        using var errors = JsonDocument.Parse(entries["errors.json"]);
        return [.. errors.RootElement.EnumerateArray()
            .Select(error => (error.GetProperty("row").GetInt32(), error.GetProperty("reason").GetString()!))];
    }

    private async Task<string> CreateUploadAsync(string path, string body)
    {
        using var response = await PostUploadAsync(path, body);
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {content}");
        using var json = JsonDocument.Parse(content);
        return json.RootElement.GetProperty("taskId").GetString()!;
    }

    private Task<HttpResponseMessage> PostUploadAsync(
        string path,
        string body,
        bool chunked = false,
        string? idempotencyKey = null)
    {
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(Ndjson);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return fixture.Api.SendAsync(request);
    }

    /// <summary>
    /// Verifies the certificate (the first PEM of <paramref name="certificatePem"/>) with openssl
    /// against the CA, and returns the subject and public key of it and of the request, as openssl
    /// prints them.
    /// </summary>
    private static async Task<(OpensslView Certificate, OpensslView Request)> CompareAsync(
        string certificatePem,
        string requestPem,
        string caPath)
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-csr-verify-").FullName;
        try
        {
            var device = X509Certificate2.CreateFromPem(certificatePem).ExportCertificatePem();
            await File.WriteAllTextAsync(Path.Combine(folder, "device.pem"), device);
            await File.WriteAllTextAsync(Path.Combine(folder, "request.pem"), requestPem);
            var verify = await Openssl.RunAsync(
                folder, "verify", "-CAfile", caPath, "-purpose", "sslclient", "device.pem");
            Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);

            var certificate = await Openssl.RunAsync(
                folder, "x509", "-in", "device.pem", "-noout", "-subject", "-pubkey");
            var request = await Openssl.RunAsync(
                folder, "req", "-in", "request.pem", "-noout", "-subject", "-pubkey");
            Assert.True(request.ExitCode == 0, request.Error);
            return (OpensslView.Parse(certificate.Output), OpensslView.Parse(request.Output));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record OpensslView(string Subject, string PublicKey)
    {
        public static OpensslView Parse(string output)
        {
            var lines = output.Split('\n');
            var subjectLine = lines.First(line => line.StartsWith("subject=", StringComparison.Ordinal));
            var subject = subjectLine["subject=".Length..];
            var key = string.Join('\n', lines
                .SkipWhile(line => !line.StartsWith("-----BEGIN", StringComparison.Ordinal))
                .TakeWhile(line => !line.StartsWith("subject=", StringComparison.Ordinal)));
            return new OpensslView(subject.Trim(), key.Trim());
        }
    }
}
