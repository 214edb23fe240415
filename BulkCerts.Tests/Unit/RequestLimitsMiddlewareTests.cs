using BulkCerts.Api;
using BulkCerts.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Unit;

public sealed class RequestLimitsMiddlewareTests
{
    [Fact]
    public void MeasuresEachHeaderLine()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = "localhost",
            ["Accept"] = new(["application/json", "text/plain"]),
        };

        var size = RequestLimitsMiddleware.MeasureHeaders(headers);

        Assert.Equal(3, size.Count);
        Assert.Equal((4 + 2 + 9 + 2) + (6 + 2 + 16 + 2) + (6 + 2 + 10 + 2), size.Bytes);
    }

    [Fact]
    public void NamesLargestHeader()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = "localhost",
            ["Cookie"] = new string('c', 100),
            ["Accept"] = "*/*",
        };

        var size = RequestLimitsMiddleware.MeasureHeaders(headers);

        Assert.Equal("Cookie", size.LargestName);
        Assert.Equal(6 + 2 + 100 + 2, size.LargestBytes);
    }

    [Fact]
    public void EmptyHeadersMeasureZero()
    {
        var size = RequestLimitsMiddleware.MeasureHeaders(new HeaderDictionary());

        Assert.Equal(new HeaderSize(0, 0, string.Empty, 0), size);
    }

    [Theory]
    [InlineData("POST", "/certificates", "application/x-ndjson", true)]
    [InlineData("POST", "/supplier/acme/certificates/", "application/x-ndjson; charset=utf-8", true)]
    [InlineData("POST", "/certificates", "application/json", false)]
    [InlineData("POST", "/certificates/abc", "application/x-ndjson", false)]
    [InlineData("PUT", "/certificates", "application/x-ndjson", false)]
    [InlineData("POST", "/supplier/acme/other", "application/x-ndjson", false)]
    public void UploadIsRecognizedByPathAndType(string method, string path, string contentType, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.ContentType = contentType;

        Assert.Equal(expected, RequestLimitsMiddleware.IsSigningRequestUpload(context.Request));
    }

    [Fact]
    public async Task UploadGetsItsOwnBodyLimit()
    {
        var options = Options.Create(new BulkCertsOptions { MaxRequestBodyBytes = 1024, MaxCsrUploadBytes = 1 << 20 });
        var bodySize = new BodySizeFeature();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpMaxRequestBodySizeFeature>(bodySize);
        context.Request.Method = "POST";
        context.Request.Path = "/certificates";
        context.Request.ContentType = "application/x-ndjson";
        context.Request.ContentLength = 4096;
        var called = false;
        var middleware = new RequestLimitsMiddleware(
            _ =>
            {
                called = true;
                return Task.CompletedTask;
            },
            options);

        await middleware.InvokeAsync(context);

        Assert.True(called);
        Assert.Equal(1 << 20, bodySize.MaxRequestBodySize);
    }

    [Fact]
    public void ApiLimitsAreBelowKestrels()
    {
        Assert.True(RequestLimitsMiddleware.MaxHeaderBytes < RequestLimitsMiddleware.KestrelMaxHeaderBytes);
        Assert.True(RequestLimitsMiddleware.MaxHeaderCount < RequestLimitsMiddleware.KestrelMaxHeaderCount);
    }

    private sealed class BodySizeFeature : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; }
    }
}
