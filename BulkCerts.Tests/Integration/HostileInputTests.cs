using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class HostileInputTests(BulkCertsAppFixture fixture, ITestOutputHelper output)
{
    private const int Seed = 20_250_611;

    [Fact]
    public async Task HostileRequestsGetJsonErrors()
    {
        var requests = HostileRequests.Generate(new Random(Seed));
        Assert.True(requests.Count >= 200, $"only {requests.Count} requests were generated");

        var failures = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        foreach (var hostile in requests)
        {
            if (await FindProblemAsync(hostile) is { } problem)
            {
                failures.Add($"{hostile}: {problem}");
            }
        }

        output.WriteLine($"Sent {requests.Count} hostile requests in {stopwatch.Elapsed.TotalSeconds:F1} s.");
        Assert.True(
            failures.Count == 0,
            $"{failures.Count} of {requests.Count} requests got no 4xx JSON error:\n{string.Join("\n", failures)}");

        var taskId = await TaskClient.CreateAsync(
            fixture.Api, "/certificates", """{"quantity": 3, "certInfo": {"commonName": "`after-`0${increment}"}}""");
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));
        Assert.Equal("complete", status.GetProperty("status").GetString());
    }

    /// <summary>
    /// Sends the request and returns what is wrong with the response, or null when it is a 4xx
    /// problem document with a message.
    /// </summary>
    private async Task<string?> FindProblemAsync(HostileRequest hostile)
    {
        using var request = hostile.ToHttpRequestMessage();
        HttpResponseMessage response;
        try
        {
            response = await fixture.Api.SendAsync(request);
        }
        catch (HttpRequestException exception)
        {
            return $"the request failed: {exception.Message}";
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var content = await response.Content.ReadAsStringAsync();
            var excerpt = content.Length <= 300 ? content : content[..300] + "...";
            if (status is < 400 or > 499)
            {
                return $"status {status}, expected 4xx; body: {excerpt}";
            }

            if (status is 401 or 429)
            {
                return $"status {status}: the request was stopped before validation; body: {excerpt}";
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not ("application/problem+json" or "application/json"))
            {
                return $"status {status} with Content-Type '{mediaType}', expected JSON; body: {excerpt}";
            }

            try
            {
                using var json = JsonDocument.Parse(content);
                if (json.RootElement.ValueKind != JsonValueKind.Object
                    || !json.RootElement.TryGetProperty("message", out var message)
                    || message.ValueKind != JsonValueKind.String
                    || string.IsNullOrWhiteSpace(message.GetString()))
                {
                    return $"status {status} without a string message; body: {excerpt}";
                }
            }
            catch (JsonException exception)
            {
                return $"status {status} with a body that is not JSON ({exception.Message}): {excerpt}";
            }

            return null;
        }
    }
}
