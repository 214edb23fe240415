using System.Diagnostics;
using BulkCerts.Api.Telemetry;

namespace BulkCerts.Tests.Unit;

public sealed class W3CTraceContextTests
{
    [Fact]
    public void FormattedContextParsesBack()
    {
        var context = new ActivityContext(
            ActivityTraceId.CreateRandom(),
            ActivitySpanId.CreateRandom(),
            ActivityTraceFlags.Recorded,
            "vendor=value");

        var (traceParent, traceState) = W3CTraceContext.Format(context);
        var parsed = W3CTraceContext.Parse(traceParent, traceState);

        Assert.Equal($"00-{context.TraceId}-{context.SpanId}-01", traceParent);
        Assert.Equal("vendor=value", traceState);
        Assert.Equal(context.TraceId, parsed.TraceId);
        Assert.Equal(context.SpanId, parsed.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, parsed.TraceFlags);
        Assert.True(parsed.IsRemote);
    }

    [Fact]
    public void UnsampledContextHasZeroFlags()
    {
        var context = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), default);

        var (traceParent, traceState) = W3CTraceContext.Format(context);

        Assert.EndsWith("-00", traceParent);
        Assert.Null(traceState);
    }

    [Fact]
    public void DefaultContextFormatsAsNothing()
    {
        Assert.Equal((null, null), W3CTraceContext.Format(default));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00-not-a-trace-01")]
    public void InvalidTraceParentParsesAsDefault(string? traceParent)
    {
        Assert.Equal(default, W3CTraceContext.Parse(traceParent, traceState: null));
    }
}
