using BulkCerts.Api.Http;
using Microsoft.AspNetCore.Http;

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

    [Fact]
    public void ApiLimitsAreBelowKestrels()
    {
        Assert.True(RequestLimitsMiddleware.MaxHeaderBytes < RequestLimitsMiddleware.KestrelMaxHeaderBytes);
        Assert.True(RequestLimitsMiddleware.MaxHeaderCount < RequestLimitsMiddleware.KestrelMaxHeaderCount);
    }
}
