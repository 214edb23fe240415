using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BulkCerts.Cli.Api;

/// <summary>Calls the BulkCerts REST API and turns every failure into a <see cref="CliException"/>.</summary>
public sealed class BulkCertsClient : IDisposable
{
    private const string JsonMediaType = "application/json";

    private readonly HttpClient _http;

    public BulkCertsClient(Uri baseUrl, string apiKey)
    {
        // Request paths are relative, so a base URL with a path (https://host/bulkcerts) must end in '/'.
        BaseUrl = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl : new Uri(baseUrl + "/");
        // Redirects are not followed, because a 303 from the download means the task still runs.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = BaseUrl,
            Timeout = TimeSpan.FromSeconds(100),
        };
        _http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("bulkcerts-cli", "1.0"));
    }

    public Uri BaseUrl { get; }

    /// <summary>The base URL as people write it, without the trailing '/'.</summary>
    private string DisplayUrl => BaseUrl.ToString().TrimEnd('/');

    /// <summary>Creates a task; <paramref name="supplierId"/> selects the supplier's CA.</summary>
    public async Task<TaskCreated> CreateTaskAsync(
        JsonObject body,
        string? supplierId,
        CancellationToken cancellationToken)
    {
        var path = supplierId is null
            ? "certificates"
            : $"supplier/{Uri.EscapeDataString(supplierId)}/certificates";
        using var request = JsonRequest(HttpMethod.Post, path);
        request.Content = JsonContent.Create(body, mediaType: new MediaTypeHeaderValue(JsonMediaType));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureStatusAsync(response, HttpStatusCode.Accepted, cancellationToken);
        return await ReadJsonAsync<TaskCreated>(response, cancellationToken);
    }

    public async Task<TaskStatusBody> GetStatusAsync(string taskId, CancellationToken cancellationToken) =>
        (await GetStatusWithBodyAsync(taskId, cancellationToken)).Status;

    /// <summary>Returns the task status and the response body exactly as the API sent it.</summary>
    public async Task<(TaskStatusBody Status, string Body)> GetStatusWithBodyAsync(
        string taskId,
        CancellationToken cancellationToken)
    {
        using var request = JsonRequest(HttpMethod.Get, $"certificates/{Uri.EscapeDataString(taskId)}/task");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureStatusAsync(response, HttpStatusCode.OK, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return (Deserialize<TaskStatusBody>(body, request), body);
    }

    /// <summary>
    /// Downloads a complete task's zip to <paramref name="path"/>, which is created readable by its
    /// owner only, since the zip contains private keys. Returns the number of bytes written.
    /// </summary>
    public async Task<long> DownloadZipAsync(string taskId, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"certificates/{Uri.EscapeDataString(taskId)}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/zip"));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.SeeOther)
        {
            throw new CliException(
                $"Task {taskId} is still running, so it has nothing to download yet; wait with " +
                $"'bulkcerts download {taskId} --out FILE', or check it with 'bulkcerts status {taskId}'.",
                ExitCodes.StillRunning);
        }

        await EnsureStatusAsync(response, HttpStatusCode.OK, cancellationToken);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await OutputFiles.WritePrivateAsync(path, body, cancellationToken);
        }
        catch (HttpIOException exception)
        {
            throw new CliException(
                $"The download of task {taskId} from {DisplayUrl} broke off: {exception.Message} " +
                "Run the command again.",
                ExitCodes.Unreachable,
                exception);
        }
    }

    public async Task<List<CertificateAuthoritySummary>> ListAuthoritiesAsync(CancellationToken cancellationToken)
    {
        using var request = JsonRequest(HttpMethod.Get, "certificateauthorities");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureStatusAsync(response, HttpStatusCode.OK, cancellationToken);
        return await ReadJsonAsync<List<CertificateAuthoritySummary>>(response, cancellationToken);
    }

    /// <summary>Returns the PEM certificate chain of a CA, its own certificate first.</summary>
    public async Task<string> GetAuthorityChainPemAsync(string alias, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(
            HttpMethod.Get,
            $"certificateauthorities/{Uri.EscapeDataString(alias)}");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureStatusAsync(response, HttpStatusCode.OK, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage JsonRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        HttpCompletionOption completion,
        CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new CliException(
                $"Could not connect to the BulkCerts API at {DisplayUrl}: {exception.Message}. Start the app " +
                $"(dotnet run --project BulkCerts.AppHost), or point --url or {GlobalOptions.UrlVariable} at it.",
                ExitCodes.Unreachable,
                exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(
                $"The BulkCerts API at {DisplayUrl} did not respond to {Describe(request)} within " +
                $"{_http.Timeout.TotalSeconds:0} seconds; check that it is running and not overloaded.",
                ExitCodes.Unreachable,
                exception);
        }
    }

    /// <summary>Throws with the API's <c>message</c> and a matching exit code on any other status.</summary>
    private static async Task EnsureStatusAsync(
        HttpResponseMessage response,
        HttpStatusCode expected,
        CancellationToken cancellationToken)
    {
        if (response.StatusCode == expected)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var request = response.RequestMessage!;
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        var message = ProblemMessage.Read(body)
            ?? $"the response had no error message{(body.Length == 0 ? string.Empty : $": {Shorten(body)}")}";
        var text = $"{Describe(request)} failed with {status}: {message}";
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            text += $" {GlobalOptions.ApiKeyAdvice}";
        }

        throw new CliException(text, ExitCodeFor(response.StatusCode));
    }

    internal static int ExitCodeFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unauthorized,
        HttpStatusCode.NotFound or HttpStatusCode.Gone => ExitCodes.NotFound,
        HttpStatusCode.Conflict => ExitCodes.TaskFailed,
        >= HttpStatusCode.InternalServerError => ExitCodes.ServerError,
        >= HttpStatusCode.BadRequest => ExitCodes.Rejected,
        _ => ExitCodes.ServerError,
    };

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return Deserialize<T>(body, response.RequestMessage!);
    }

    private static T Deserialize<T>(string body, HttpRequestMessage request)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, WireJson.Options)
                ?? throw new JsonException("The body is the JSON null.");
        }
        catch (JsonException exception)
        {
            throw new CliException(
                $"The response to {Describe(request)} is not the JSON the BulkCerts API sends " +
                $"({exception.Message}); check that --url points at a BulkCerts API.",
                ExitCodes.ServerError,
                exception);
        }
    }

    /// <summary>Returns the method and path, such as "GET /certificates/{id}/task", without the base URL.</summary>
    private static string Describe(HttpRequestMessage request) => request.RequestUri is { IsAbsoluteUri: true } uri
        ? $"{request.Method} {uri.PathAndQuery}"
        : $"{request.Method} /{request.RequestUri}";

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
