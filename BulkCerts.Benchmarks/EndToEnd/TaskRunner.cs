using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>Creates tasks through the REST API, waits for them and downloads their zips.</summary>
internal static class TaskRunner
{
    public const string Ndjson = "application/x-ndjson";

    private const string MediaType = "application/vnd.aws-cdf-v1.0+json";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Returns a create-task body; <paramref name="certInfo"/> is added to certInfo as it is.</summary>
    public static string Body(int quantity, string keyAlgorithm, string prefix, string certInfo = "") =>
        $$$"""{"quantity": {{{quantity}}}, "certInfo": {"commonName": "`{{{prefix}}}-`000000${increment}",""" +
        $$$""" "keyAlgorithm": "{{{keyAlgorithm}}}"{{{certInfo}}}}}""";

    /// <summary>An application/x-ndjson upload of PEM certification requests, one row per line.</summary>
    public static string SigningRequestUpload(IEnumerable<string> pems)
    {
        var upload = new StringBuilder();
        foreach (var pem in pems)
        {
            upload.Append(JsonSerializer.Serialize(new { csr = pem })).Append('\n');
        }

        return upload.ToString();
    }

    /// <summary>Creates a task and returns its id and how long the POST took.</summary>
    public static async Task<(string TaskId, TimeSpan Elapsed)> CreateAsync(
        HttpClient api,
        string path,
        string body,
        string mediaType = MediaType)
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        content.Headers.ContentType!.CharSet = null;
        var stopwatch = Stopwatch.StartNew();
        using var response = await api.PostAsync(path, content);
        var elapsed = stopwatch.Elapsed;
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST {path} returned {(int)response.StatusCode}: {text}");
        }

        using var json = JsonDocument.Parse(text);
        return (json.RootElement.GetProperty("taskId").GetString()!, elapsed);
    }

    /// <summary>Creates a task and returns the time from the POST until the task is complete.</summary>
    public static async Task<(string TaskId, TimeSpan Elapsed)> RunAsync(HttpClient api, string path, string body)
    {
        var stopwatch = Stopwatch.StartNew();
        var (taskId, _) = await CreateAsync(api, path, body);
        await WaitForCompleteAsync(api, taskId);
        return (taskId, stopwatch.Elapsed);
    }

    public static async Task WaitForCompleteAsync(HttpClient api, string taskId)
    {
        while (true)
        {
            using var response = await api.GetAsync($"/certificates/{taskId}/task");
            var text = await response.Content.ReadAsStringAsync();
            using var json = JsonDocument.Parse(text);
            var status = json.RootElement.TryGetProperty("status", out var word) ? word.GetString() : null;
            switch (status)
            {
                case "complete":
                    return;
                case "failed":
                    throw new InvalidOperationException($"Task {taskId} failed: {text}");
                case null:
                    throw new InvalidOperationException($"Task {taskId} status {(int)response.StatusCode}: {text}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Downloads a task's zip, counting its bytes without keeping them, and returns the count.</summary>
    public static async Task<long> DownloadAsync(HttpClient api, string taskId)
    {
        using var response = await api.GetAsync($"/certificates/{taskId}", HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException(
                $"GET /certificates/{taskId} returned {(int)response.StatusCode}: " +
                await response.Content.ReadAsStringAsync());
        }

        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    public static async Task DeleteAsync(HttpClient api, string taskId)
    {
        using var response = await api.DeleteAsync($"/certificates/{taskId}");
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"DELETE of task {taskId} returned {(int)response.StatusCode}.");
        }
    }
}
