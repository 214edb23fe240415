using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BulkCerts.Api;
using BulkCerts.Api.Downloads;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.Tests.Support;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// <c>GET /certificates/{taskId}?downloadType=signedUrl</c> returns one signed URL per chunk, and
/// each URL downloads its chunk's zip without credentials until it expires or is altered.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class SignedUrlTests(BulkCertsAppFixture fixture)
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ChunkZipsTogetherEqualTaskZip()
    {
        var taskId = await CreateCompleteTaskAsync(250, "signed-url");
        var whole = await TaskClient.DownloadAsync(fixture.Api, taskId);
        var wholeManifest = TaskClient.ReadManifest(whole);

        var urls = await GetUrlsAsync(fixture.Api, taskId, TaskClient.CdfJson);

        Assert.Equal(3, urls.Count);
        var baseUrl = fixture.Api.BaseAddress!.ToString().TrimEnd('/');
        for (var i = 0; i < urls.Count; i++)
        {
            Assert.StartsWith($"{baseUrl}/certificates/{taskId}/chunks/{i + 1}?expires=", urls[i]);
        }

        using var anonymous = fixture.CreateClient(apiKey: null);
        var chunkManifests = new List<(string CommonName, string CertId)>();
        int[] chunkSizes = [100, 100, 50];
        for (var i = 0; i < urls.Count; i++)
        {
            using var response = await anonymous.GetAsync(urls[i]);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var entries = await TaskClient.ReadZipAsync(response);
            var manifest = TaskClient.ReadManifest(entries);

            Assert.Equal(chunkSizes[i], manifest.Count);
            Assert.Equal(chunkSizes[i] * 2 + 1, entries.Count);
            foreach (var (_, certId) in manifest)
            {
                Assert.Equal(whole[$"{certId}_cert.pem"], entries[$"{certId}_cert.pem"]);
                Assert.Equal(whole[$"{certId}_key.pem"], entries[$"{certId}_key.pem"]);
            }

            await IssuedCertificates.AssertOpensslVerifiesAsync(
                entries, manifest.Take(5).ToList(), fixture.DefaultCaCertificatePath);
            chunkManifests.AddRange(manifest);
        }

        Assert.Equal(wholeManifest, chunkManifests);
    }

    [Fact]
    public async Task UrlListFollowsAcceptHeader()
    {
        var taskId = await CreateCompleteTaskAsync(2, "signed-url-accept");

        using var json = await RequestUrlsAsync(fixture.Api, taskId, "application/json");
        using var wildcard = await RequestUrlsAsync(fixture.Api, taskId, "*/*");
        using var zip = await RequestUrlsAsync(fixture.Api, taskId, "application/zip");

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", json.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", wildcard.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotAcceptable, zip.StatusCode);
        Assert.Contains("accept application/json or application/vnd.aws-cdf-v1.0+json",
            await TaskClient.ReadMessageAsync(zip));
    }

    [Fact]
    public async Task ChangedUrlIsForbiddenWithReason()
    {
        var taskId = await CreateCompleteTaskAsync(101, "signed-url-tamper");
        var otherTaskId = await CreateCompleteTaskAsync(1, "signed-url-other");
        var url = (await GetUrlsAsync(fixture.Api, taskId, TaskClient.CdfJson))[0];
        var expires = long.Parse(QueryValue(url, "expires"));
        var signature = QueryValue(url, "signature");
        var flipped = (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        using var anonymous = fixture.CreateClient(apiKey: null);

        (string Case, string Url, string Expected)[] cases =
        [
            ("signature", url.Replace(signature, flipped), "was altered"),
            ("chunk id", url.Replace("/chunks/1?", "/chunks/2?"), "was altered"),
            ("task id", url.Replace(taskId, otherTaskId), "was altered"),
            ("expiry", url.Replace($"expires={expires}", $"expires={expires + 60}"), "was altered"),
            ("no signature", url[..url.IndexOf("&signature=", StringComparison.Ordinal)], "lacks its signature"),
            ("no query", url[..url.IndexOf('?')], "lacks its expires"),
            ("expired", await SignWithDerivedKeyAsync(taskId, DateTimeOffset.UtcNow.AddHours(-2)), "expired at"),
        ];
        foreach (var (name, changed, expected) in cases)
        {
            using var response = await anonymous.GetAsync(changed);

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name}: {(int)response.StatusCode}");
            var message = await TaskClient.ReadMessageAsync(response);
            Assert.True(message.Contains(expected, StringComparison.Ordinal), $"{name}: {message}");
            Assert.Contains("Request new URLs", message);
        }

        using var original = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
    }

    [Fact]
    public async Task UrlSignedWithDerivedKeyIsAccepted()
    {
        // The Api derives its signing key from the result encryption key in the data folder, so a URL
        // signed here with the same derivation must be accepted.
        var taskId = await CreateCompleteTaskAsync(1, "signed-url-derived");
        var url = await SignWithDerivedKeyAsync(taskId, DateTimeOffset.UtcNow);
        using var anonymous = fixture.CreateClient(apiKey: null);

        using var response = await anonymous.GetAsync(url);

        Assert.Single(TaskClient.ReadManifest(await TaskClient.ReadZipAsync(response)));
    }

    [Theory]
    [InlineData("downloadType=signedurl", "downloadType 'signedurl' is not valid")]
    [InlineData("downloadType=s3", "downloadType 's3' is not valid")]
    [InlineData("downloadType=", "downloadType '' is not valid")]
    [InlineData("DownloadType=signedUrl", "Query parameter 'DownloadType' is not known")]
    [InlineData("downloadType=signedUrl&downloadType=zip", "downloadType is given 2 times")]
    public async Task InvalidDownloadTypeIsBadRequest(string query, string expected)
    {
        var taskId = Guid.NewGuid();

        using var response = await fixture.Api.GetAsync($"/certificates/{taskId}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await TaskClient.ReadMessageAsync(response);
        Assert.Contains(expected, message);
        Assert.Contains("downloadType=signedUrl", message);
    }

    [Fact]
    public async Task ScopedKeyGetsNoOtherSupplierUrls()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api, "/certificates", """{"quantity": 1, "certInfo": {"commonName": "signed-url-scope"}}""");
        using var acme = fixture.CreateClient(BulkCertsAppFixture.AcmeOnlyKey);
        using var anonymous = fixture.CreateClient(apiKey: null);

        using var scoped = await RequestUrlsAsync(acme, taskId, TaskClient.CdfJson);
        using var unauthenticated = await RequestUrlsAsync(anonymous, taskId, TaskClient.CdfJson);

        Assert.Equal(HttpStatusCode.Forbidden, scoped.StatusCode);
        Assert.Contains("outside the scope", await TaskClient.ReadMessageAsync(scoped));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Fact]
    public async Task PendingTaskRedirectsToStatus()
    {
        // Generating an RSA-4096 key usually takes a second or more, so the task is still running when
        // the request arrives.
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "signed-url-pending", "keyAlgorithm": "RSA-4096"}}""");

        using var response = await RequestUrlsAsync(fixture.Api, taskId, TaskClient.CdfJson);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/certificates/{taskId}/task", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task DeletedChunkResultIsGone()
    {
        var taskId = await CreateCompleteTaskAsync(2, "signed-url-gone");
        var url = (await GetUrlsAsync(fixture.Api, taskId, TaskClient.CdfJson))[0];
        await using var redis = await fixture.ConnectRedisAsync();
        await redis.GetDatabase().KeyDeleteAsync($"bulkcerts:task:{{{taskId}}}:chunk:1");
        using var anonymous = fixture.CreateClient(apiKey: null);

        using var chunk = await anonymous.GetAsync(url);
        using var list = await RequestUrlsAsync(fixture.Api, taskId, TaskClient.CdfJson);

        Assert.Equal(HttpStatusCode.Gone, chunk.StatusCode);
        Assert.Contains($"chunk 1 of task {taskId} have expired", await TaskClient.ReadMessageAsync(chunk));
        Assert.Equal(HttpStatusCode.Gone, list.StatusCode);
        Assert.Contains($"task {taskId} have expired", await TaskClient.ReadMessageAsync(list));
    }

    private async Task<string> CreateCompleteTaskAsync(int quantity, string commonName)
    {
        var body = $$$"""
            {"quantity": {{{quantity}}}, "certInfo": {"commonName": "`{{{commonName}}}-`0000${increment}",
             "keyAlgorithm": "EC-P256"}}
            """;
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.Equal("complete", status.GetProperty("status").GetString());
        return taskId;
    }

    /// <summary>
    /// Signs the URL of chunk 1 as the Api would at <paramref name="now"/>, with the key derived from
    /// the result encryption key that the Api keeps in the fixture's data folder.
    /// </summary>
    private async Task<string> SignWithDerivedKeyAsync(string taskId, DateTimeOffset now)
    {
        var resultKeyPath = Path.Combine(fixture.DataPath, "api", "result-encryption.key");
        var resultKey = (await File.ReadAllTextAsync(resultKeyPath)).Trim();
        var protector = new ResultProtector(
            Options.Create(new BulkCertsOptions { ResultEncryptionKey = resultKey }),
            new HostingEnvironment { ContentRootPath = fixture.DataPath });
        var signer = new ChunkUrlSigner(Options.Create(new SignedUrlOptions()), protector, new SettableClock(now));

        var (paths, _) = signer.Sign(taskId, ChunkRange.Single(1));
        return fixture.Api.BaseAddress!.ToString().TrimEnd('/') + paths[0];
    }

    private static async Task<List<string>> GetUrlsAsync(HttpClient client, string taskId, string accept)
    {
        using var response = await RequestUrlsAsync(client, taskId, accept);
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {content}");
        Assert.Equal(accept, response.Content.Headers.ContentType?.MediaType);

        return JsonSerializer.Deserialize<List<string>>(content)!;
    }

    private static Task<HttpResponseMessage> RequestUrlsAsync(HttpClient client, string taskId, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{taskId}?downloadType=signedUrl");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        return client.SendAsync(request);
    }

    private static string QueryValue(string url, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(url).Query)[name].ToString();
}
