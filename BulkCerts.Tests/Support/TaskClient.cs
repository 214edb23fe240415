using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BulkCerts.Tests.Support;

/// <summary>Drives the REST API as a client of the original service would.</summary>
internal static class TaskClient
{
    public const string CdfJson = "application/vnd.aws-cdf-v1.0+json";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static HttpRequestMessage JsonRequest(HttpMethod method, string path, string? body, string mediaType = CdfJson)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return request;
    }

    /// <summary>Creates a task and returns its id, failing with the response body on any status but 202.</summary>
    public static async Task<string> CreateAsync(HttpClient api, string path, string body)
    {
        using var response = await api.SendAsync(JsonRequest(HttpMethod.Post, path, body));
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {content}");

        using var json = JsonDocument.Parse(content);
        return json.RootElement.GetProperty("taskId").GetString()!;
    }

    /// <summary>Returns the <c>message</c> of an error response, failing when the body has none.</summary>
    public static async Task<string> ReadMessageAsync(HttpResponseMessage response)
    {
        var content = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(content);
        Assert.True(json.RootElement.TryGetProperty("message", out var message), content);
        return message.GetString()!;
    }

    public static async Task<JsonElement> GetStatusAsync(HttpClient api, string taskId)
    {
        using var response = await api.SendAsync(JsonRequest(HttpMethod.Get, $"/certificates/{taskId}/task", null));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    /// <summary>
    /// Polls until the task ends and returns the last status and every status word seen. With
    /// <paramref name="tolerateOutages"/>, failed polls (a killed Api replica, 503 while Redis
    /// restarts) are retried until the timeout.
    /// </summary>
    public static async Task<(JsonElement Status, IReadOnlySet<string> Seen)> WaitForEndAsync(
        HttpClient api,
        string taskId,
        TimeSpan timeout,
        bool tolerateOutages = false)
    {
        var seen = new HashSet<string>();
        using var cancellation = new CancellationTokenSource(timeout);
        JsonElement? status = null;
        while (true)
        {
            try
            {
                status = await GetStatusAsync(api, taskId);
                var word = status.Value.GetProperty("status").GetString()!;
                seen.Add(word);
                if (word is "complete" or "failed")
                {
                    return (status.Value, seen);
                }
            }
            catch (HttpRequestException) when (tolerateOutages)
            {
                // The next poll reaches another replica or the restarted store.
            }

            try
            {
                await Task.Delay(PollInterval, cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Task {taskId} did not end within {timeout}; last status: {status}");
            }
        }
    }

    /// <summary>Polls until a dispatcher has started issuing the task.</summary>
    public static async Task WaitForStartAsync(HttpClient api, string taskId, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while ((await GetStatusAsync(api, taskId)).GetProperty("status").GetString() == "pending")
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation.Token);
        }
    }

    /// <summary>Returns the entries of the zip's manifest, in task order.</summary>
    public static List<(string CommonName, string CertId)> ReadManifest(Dictionary<string, string> entries)
    {
        using var manifest = JsonDocument.Parse(entries["certificate_manifest.json"]);
        return manifest.RootElement.EnumerateArray()
            .Select(entry => (entry.GetProperty("commonName").GetString()!, entry.GetProperty("certId").GetString()!))
            .ToList();
    }

    /// <summary>Downloads a finished task and returns every zip entry by name.</summary>
    public static async Task<Dictionary<string, string>> DownloadAsync(HttpClient api, string taskId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/certificates/{taskId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/zip"));
        using var response = await api.SendAsync(request);
        return await ReadZipAsync(response);
    }

    /// <summary>Checks that a response is a 200 zip and returns every entry of the zip by name.</summary>
    public static async Task<Dictionary<string, string>> ReadZipAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);

        await using var body = await response.Content.ReadAsStreamAsync();
        using var archive = new ZipArchive(body, ZipArchiveMode.Read);
        var entries = new Dictionary<string, string>();
        foreach (var entry in archive.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            entries.Add(entry.FullName, await reader.ReadToEndAsync());
        }

        return entries;
    }
}
