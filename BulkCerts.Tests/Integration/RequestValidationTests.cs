using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class RequestValidationTests(BulkCertsAppFixture fixture)
{
    [Theory]
    [InlineData("0", "quantity 0 is out of range")]
    [InlineData("-3", "quantity -3 is out of range")]
    [InlineData("2.5", "quantity 2.5 is out of range")]
    [InlineData("100001", "quantity 100001 is out of range")]
    [InlineData("99999999999999999999999", "quantity 99999999999999999999999 is out of range")]
    [InlineData("\"12\"", "quantity \"12\" (a string) is not a number")]
    [InlineData("null", "quantity is missing")]
    public async Task BadQuantityIsRejected(string quantity, string expectedStart)
    {
        var body = $$$"""{"quantity": {{{quantity}}}, "certInfo": {"commonName": "device"}}""";

        var message = await SendExpectingErrorAsync(HttpMethod.Post, "/certificates", body, HttpStatusCode.BadRequest);

        Assert.StartsWith(expectedStart, message);
        Assert.Contains("whole number from 1 to 100000", message);
    }

    [Theory]
    [InlineData("{\"quantity\": 5,", "The request body is not valid JSON: ")]
    [InlineData("", "The request body is empty")]
    [InlineData("[1, 2]", "The request body must be a JSON object, not [1, 2] (an array)")]
    [InlineData("{\"quantity\": 5, \"certInfo\": {\"commonName\": true}}", "certInfo.commonName true (a boolean) is not a string")]
    [InlineData(" \r\n ", "The request body is empty")]
    [InlineData("{\"quantity\": 100001, \"quantity\": 1}", "The request body is not valid JSON: Duplicate property 'quantity'")]
    public async Task MalformedBodyIsRejected(string body, string expectedStart)
    {
        var message = await SendExpectingErrorAsync(HttpMethod.Post, "/certificates", body, HttpStatusCode.BadRequest);

        Assert.StartsWith(expectedStart, message);
    }

    [Fact]
    public async Task NestingDeeperThan32IsRejected()
    {
        var body = new string('[', 40) + new string(']', 40);

        var message = await SendExpectingErrorAsync(HttpMethod.Post, "/certificates", body, HttpStatusCode.BadRequest);

        Assert.Contains("The maximum configured depth of 32 has been exceeded", message);
    }

    [Fact]
    public async Task InvalidUtf8IsRejected()
    {
        byte[] body = [.. "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a"u8, 0xFF, 0xFE, .. "b\"}}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.BadRequest);

        Assert.Equal(
            "The request body is not valid UTF-8: byte 0xFF at offset 45 does not begin a valid sequence. " +
            "Encode the body as UTF-8.",
            message);
    }

    [Fact]
    public async Task BodyWithByteOrderMarkIsAccepted()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"bom\"}}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await fixture.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task UnknownSupplierIsNotFound()
    {
        var message = await SendExpectingErrorAsync(
            HttpMethod.Post,
            "/supplier/nobody-inc/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "device"}}""",
            HttpStatusCode.NotFound);

        Assert.Contains("Supplier 'nobody-inc' is not configured", message);
    }

    [Fact]
    public async Task SupplierWithUnknownCaIsUnavailable()
    {
        var message = await SendExpectingErrorAsync(
            HttpMethod.Post,
            $"/supplier/{BulkCertsAppFixture.OrphanSupplierId}/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "device"}}""",
            HttpStatusCode.ServiceUnavailable);

        Assert.Contains("Certificate authority 'missing-ca' is not configured in the CertEngine", message);
    }

    [Fact]
    public async Task ExpiryAfterCaNotAfterIsRejected()
    {
        // The supplier CA is valid for 400 days.
        var message = await SendExpectingErrorAsync(
            HttpMethod.Post,
            $"/supplier/{BulkCertsAppFixture.SupplierId}/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "device", "daysExpiry": 500}}""",
            HttpStatusCode.BadRequest);

        Assert.StartsWith("certInfo.daysExpiry 500 would end after the CA's notAfter", message);
        Assert.EndsWith("set certInfo.daysExpiry to at most 399 days.", message);
    }

    [Fact]
    public async Task InvalidSupplierIdIsRejected()
    {
        var message = await SendExpectingErrorAsync(
            HttpMethod.Post,
            "/supplier/bad%20id!/certificates",
            """{"quantity": 1, "certInfo": {"commonName": "device"}}""",
            HttpStatusCode.BadRequest);

        Assert.Contains("Supplier id 'bad id!' is not valid", message);
    }

    [Theory]
    [InlineData("/certificates/{0}/task")]
    [InlineData("/certificates/{0}")]
    public async Task UnknownTaskIsNotFound(string pathFormat)
    {
        var taskId = Guid.NewGuid().ToString();

        var message = await SendExpectingErrorAsync(
            HttpMethod.Get, string.Format(pathFormat, taskId), null, HttpStatusCode.NotFound);

        Assert.Contains($"Task {taskId} was not found", message);
    }

    [Fact]
    public async Task UppercaseTaskIdFindsTask()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api, "/certificates", """{"quantity": 1, "certInfo": {"commonName": "upper"}}""");

        using var response = await fixture.Api.GetAsync($"/certificates/{taskId.ToUpperInvariant()}/task");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MalformedTaskIdIsNotFound()
    {
        var message = await SendExpectingErrorAsync(
            HttpMethod.Get, "/certificates/not-a-task/task", null, HttpStatusCode.NotFound);

        Assert.Contains("Task id 'not-a-task' is not valid", message);
    }

    [Fact]
    public async Task UnknownRouteIsNotFound()
    {
        var message = await SendExpectingErrorAsync(HttpMethod.Get, "/certificate", null, HttpStatusCode.NotFound);

        Assert.StartsWith("No endpoint matches GET /certificate.", message);
    }

    [Fact]
    public async Task UnsupportedContentTypeIsRejected()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates")
        {
            Content = new StringContent("quantity=5", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("Content-Type 'application/x-www-form-urlencoded", message);
    }

    [Fact]
    public async Task UnacceptableAcceptIsRejected()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{Guid.NewGuid()}/task");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.NotAcceptable);

        Assert.Contains("Accept 'text/html'", message);
    }

    [Theory]
    [InlineData("application/vnd.aws-cdf-v1.0+json", "application/vnd.aws-cdf-v1.0+json")]
    [InlineData("application/vnd.aws-cdf-v1.0+json; charset=utf-8", "application/vnd.aws-cdf-v1.0+json")]
    [InlineData("application/json", "application/json")]
    [InlineData("*/*", "application/json")]
    public async Task CreateAnswersInRequestedMediaType(string accept, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates")
        {
            Content = new StringContent("""{"quantity": 1, "certInfo": {"commonName": "media"}}"""),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(accept == "*/*" ? "application/json" : accept);
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await fixture.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
        var taskId = response.Headers.GetValues("x-taskid").Single();
        Assert.Equal($"/certificates/{taskId}", response.Headers.Location?.OriginalString);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(taskId, json.RootElement.GetProperty("taskId").GetString());
        Assert.Equal("pending", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task IdempotencyKeyReturnsSameTask()
    {
        var key = Guid.NewGuid().ToString();
        const string Body = """{"quantity": 1, "certInfo": {"commonName": "idempotent", "keyAlgorithm": "EC-P256"}}""";

        var first = await PostWithKeyAsync(key, Body);
        var second = await PostWithKeyAsync(key, Body);
        var other = await PostWithKeyAsync(Guid.NewGuid().ToString(), Body);

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal(HttpStatusCode.Accepted, second.Status);
        Assert.Equal(first.TaskId, second.TaskId);
        Assert.NotEqual(first.TaskId, other.TaskId);
    }

    [Fact]
    public async Task IdempotencyKeyReuseIsRejected()
    {
        var key = Guid.NewGuid().ToString();
        await PostWithKeyAsync(key, """{"quantity": 1, "certInfo": {"commonName": "first", "keyAlgorithm": "EC-P256"}}""");
        using var request = TaskClient.JsonRequest(
            HttpMethod.Post, "/certificates", """{"quantity": 2, "certInfo": {"commonName": "second"}}""");
        request.Headers.Add("Idempotency-Key", key);

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.UnprocessableEntity);

        Assert.Contains($"Idempotency-Key '{key}' was used for a different request", message);
    }

    [Fact]
    public async Task ContentLengthOverLimitIsRejectedUnread()
    {
        var content = new ZeroContent(20_000_000, declareLength: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates") { Content = content };
        request.Headers.ExpectContinue = true;

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(
            "The request body has 20000000 bytes (Content-Length); the limit is 16777216 " +
            "(BulkCerts:MaxRequestBodyBytes). Send a smaller body, for example by splitting " +
            "certInfo.commonNameList across several tasks, or send many certification requests as " +
            "application/x-ndjson, which has a larger limit.",
            message);
        Assert.False(content.Sent, "the body was sent although the Api answered before asking for it");
    }

    [Fact]
    public async Task ChunkedBodyOverLimitIsRejected()
    {
        // Only 1 KiB over the limit: the Api returns 413 once it has read past the limit and then closes
        // the connection. A client with more left to send can get a broken pipe instead of the 413.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/certificates")
        {
            Content = new ZeroContent((16 * 1024 * 1024) + 1024, declareLength: false),
        };

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.RequestEntityTooLarge);

        Assert.StartsWith(
            "The request body is larger than the limit of 16777216 bytes (BulkCerts:MaxRequestBodyBytes).", message);
    }

    [Fact]
    public async Task OverlongCommonNameListIsTooLarge()
    {
        var list = string.Join(",", Enumerable.Repeat("\"n\"", 100_001));
        var body = $$$"""{"certInfo": {"commonName": "`d-`${list}", "commonNameList": [{{{list}}}]}}""";

        var message = await SendExpectingErrorAsync(
            HttpMethod.Post, "/certificates", body, HttpStatusCode.RequestEntityTooLarge);

        Assert.StartsWith("certInfo.commonNameList has 100001 entries; the maximum is 100000", message);
    }

    [Fact]
    public async Task HeaderOverApiLimitIsRejected()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/certificateauthorities");
        request.Headers.Add("X-Padding", new string('p', 20_000));

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.RequestHeaderFieldsTooLarge);

        Assert.Contains("; the limit is 16384. The largest is 'X-Padding' with 20013 bytes", message);
    }

    [Fact]
    public async Task TooManyHeadersAreRejected()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/certificateauthorities");
        for (var index = 0; index < 80; index++)
        {
            request.Headers.Add($"X-Extra-{index}", "1");
        }

        var message = await SendExpectingErrorAsync(request, HttpStatusCode.RequestHeaderFieldsTooLarge);

        Assert.Contains("header lines; the limit is 64.", message);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc", "Certificate authority alias '..%2F..%2Fetc' is not valid")]
    [InlineData("acme%20ca", "Certificate authority alias 'acme ca' is not valid")]
    [InlineData("bulkcerts:*", "Certificate authority alias 'bulkcerts:*' is not valid")]
    public async Task InvalidAuthorityAliasIsRejected(string alias, string expectedStart)
    {
        var message = await SendExpectingErrorAsync(
            HttpMethod.Get, $"/certificateauthorities/{alias}", null, HttpStatusCode.BadRequest);

        Assert.StartsWith(expectedStart, message);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("bulkcerts:task:*")]
    [InlineData("%7B3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f%7D")]
    public async Task InvalidTaskIdIsNotFoundOnEveryRoute(string taskId)
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/certificates/{taskId}/task"),
            (HttpMethod.Get, $"/certificates/{taskId}"),
            (HttpMethod.Delete, $"/certificates/{taskId}"),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.ParseAdd("application/json, application/zip");

            var message = await SendExpectingErrorAsync(request, HttpStatusCode.NotFound);

            Assert.Contains("is not valid; task ids are a UUID", message);
        }
    }

    [Theory]
    [InlineData("GET", "/certificate")]
    [InlineData("PUT", "/certificates")]
    public async Task ErrorIsJsonWhateverAccept(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Accept.ParseAdd("text/html");

        var message = await SendExpectingErrorAsync(
            request, method == "GET" ? HttpStatusCode.NotFound : HttpStatusCode.MethodNotAllowed);

        Assert.Contains($"{method} {path}", message);
    }

    [Theory]
    [InlineData("""{"\uD800": 1, "quantity": 1, "certInfo": {"commonName": "a"}}""")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "\uDFFF": 1}}""")]
    [InlineData("""{"quantity": 1, "certInfo": {"commonName": "a", "subjectAltNames": {"\uD800": []}}}""")]
    public async Task UnpairedSurrogateInPropertyNameIsRejected(string body)
    {
        var message = await SendExpectingErrorAsync(HttpMethod.Post, "/certificates", body, HttpStatusCode.BadRequest);

        Assert.Equal(
            "A property name in the request body is not valid Unicode text; remove the escaped unpaired " +
            "surrogate (\\uD800 to \\uDFFF) from it.",
            message);
    }

    private async Task<(HttpStatusCode Status, string? TaskId)> PostWithKeyAsync(string key, string body)
    {
        using var request = TaskClient.JsonRequest(HttpMethod.Post, "/certificates", body);
        request.Headers.Add("Idempotency-Key", key);
        using var response = await fixture.Api.SendAsync(request);
        return (response.StatusCode, response.Headers.TryGetValues("x-taskid", out var ids) ? ids.Single() : null);
    }

    private Task<string> SendExpectingErrorAsync(HttpMethod method, string path, string? body, HttpStatusCode expected) =>
        SendExpectingErrorAsync(TaskClient.JsonRequest(method, path, body), expected);

    /// <summary>Sends a request that must fail and returns the message of its JSON error body.</summary>
    private async Task<string> SendExpectingErrorAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        using (var response = await fixture.Api.SendAsync(request))
        {
            var content = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {content}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

            using var json = JsonDocument.Parse(content);
            var message = json.RootElement.GetProperty("message").GetString();
            Assert.False(string.IsNullOrWhiteSpace(message), $"the error body has no message: {content}");
            return message!;
        }
    }

    /// <summary>A body of zero bytes that records whether the client started sending it.</summary>
    private sealed class ZeroContent(long bodyLength, bool declareLength) : HttpContent
    {
        public bool Sent { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Sent = true;
            var buffer = new byte[64 * 1024];
            for (var remaining = bodyLength; remaining > 0; remaining -= buffer.Length)
            {
                await stream.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = declareLength ? bodyLength : 0;
            return declareLength;
        }
    }
}
