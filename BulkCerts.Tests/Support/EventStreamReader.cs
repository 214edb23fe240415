using System.Net.Http.Headers;

namespace BulkCerts.Tests.Support;

/// <summary>One server-sent event: its id, its name and its data lines joined.</summary>
internal sealed record ServerSentEvent(string? Id, string Name, string Data);

/// <summary>
/// Reads a server-sent events response as the format defines it: fields until a blank line,
/// comment lines ignored. Written for the tests, so they do not trust the server's own writer.
/// </summary>
internal sealed class EventStreamReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream; the caller checks <see cref="Response"/> before reading.</summary>
    public static async Task<EventStreamReader> OpenAsync(HttpClient api, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new EventStreamReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Returns the next event, or null when the server ended the stream.</summary>
    public async Task<ServerSentEvent?> ReadAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        string? id = null;
        var name = "message";
        var data = new List<string>();
        while (await _reader.ReadLineAsync(cancellation.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return new ServerSentEvent(id, name, string.Join('\n', data));
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
            }
        }

        return null;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
