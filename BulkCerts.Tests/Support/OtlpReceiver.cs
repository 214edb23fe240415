using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace BulkCerts.Tests.Support;

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1 that stores the raw protobuf body of every export request, so a
/// test can search the telemetry the services sent. It accepts POST /v1/logs, /v1/traces and
/// /v1/metrics and returns 200 with an empty export response.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    public static readonly string[] Signals = ["logs", "traces", "metrics"];

    private readonly ConcurrentQueue<OtlpPayload> _payloads = new();
    private readonly WebApplication _server;

    private OtlpReceiver()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.Use(_ => ReceiveAsync);
    }

    /// <summary>The base address to set as OTEL_EXPORTER_OTLP_ENDPOINT, with the http/protobuf protocol.</summary>
    public Uri Endpoint => new(_server.Urls.Single());

    public IReadOnlyCollection<OtlpPayload> Payloads => [.. _payloads];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        await receiver._server.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return receiver;
    }

    public int Count(string signal) => _payloads.Count(payload => payload.Signal == signal);

    public IEnumerable<OtlpSpan> Spans() => Payloads.SelectMany(payload => payload.Spans());

    public IEnumerable<OtlpMetricPoint> MetricPoints() => Payloads.SelectMany(payload => payload.MetricPoints());

    public IEnumerable<OtlpLogRecord> LogRecords() => Payloads.SelectMany(payload => payload.LogRecords());

    private async Task ReceiveAsync(HttpContext context)
    {
        var signal = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) switch
        {
            ["v1", var name] when Signals.Contains(name) => name,
            _ => null,
        };
        if (signal is null || !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var body = context.Request.Body;
        if (context.Request.Headers.ContentEncoding == "gzip")
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var buffer = new MemoryStream();
        await using (body)
        {
            await body.CopyToAsync(buffer, context.RequestAborted);
        }

        _payloads.Enqueue(new OtlpPayload(signal, DateTimeOffset.UtcNow, buffer.ToArray()));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _server.DisposeAsync();
    }
}
