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

        Assert.StartsWith("certInfo.commonName is not valid Unicode text", message);
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
}
