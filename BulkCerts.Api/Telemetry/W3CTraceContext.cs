using System.Diagnostics;

namespace BulkCerts.Api.Telemetry;

/// <summary>
/// Writes and reads a trace context as the W3C <c>traceparent</c> and <c>tracestate</c> values, so a
/// trace continues through what is stored in Redis.
/// </summary>
public static class W3CTraceContext
{
    /// <summary>Returns the traceparent and tracestate of a context: both null for the default context.</summary>
    public static (string? TraceParent, string? TraceState) Format(ActivityContext context)
    {
        if (context == default)
        {
            return (null, null);
        }

        var flags = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        var traceParent = $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{flags}";
        return (traceParent, string.IsNullOrEmpty(context.TraceState) ? null : context.TraceState);
    }

    /// <summary>
    /// Returns the remote context that the values describe, or the default context when they are missing or invalid.
    /// </summary>
    public static ActivityContext Parse(string? traceParent, string? traceState)
    {
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context);
        return context;
    }
}
