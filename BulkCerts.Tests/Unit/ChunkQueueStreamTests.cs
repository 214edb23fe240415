using System.Diagnostics;
using BulkCerts.Api.ChunkQueue;
using StackExchange.Redis;

namespace BulkCerts.Tests.Unit;

public sealed class ChunkQueueStreamTests
{
    [Fact]
    public void EntryCarriesTraceContext()
    {
        var context = new ActivityContext(
            ActivityTraceId.CreateRandom(),
            ActivitySpanId.CreateRandom(),
            ActivityTraceFlags.Recorded,
            traceState: "vendor=value");

        var entry = new StreamEntry("1-0", ChunkQueueStream.CreateEntry("task-a", 7, context));
        var message = ChunkQueueStream.Parse(entry);

        Assert.NotNull(message);
        Assert.Equal("task-a", message.TaskId);
        Assert.Equal(7, message.ChunkId);
        Assert.Equal(context.TraceId, message.TraceContext.TraceId);
        Assert.Equal(context.SpanId, message.TraceContext.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, message.TraceContext.TraceFlags);
        Assert.Equal("vendor=value", message.TraceContext.TraceState);
        Assert.True(message.TraceContext.IsRemote);
    }

    [Fact]
    public void EntryWithoutTraceHasNoParent()
    {
        var entry = new StreamEntry("1-0", ChunkQueueStream.CreateEntry("task-b", 1, default));

        var message = ChunkQueueStream.Parse(entry);

        Assert.NotNull(message);
        Assert.Equal(default, message.TraceContext);
    }

    [Fact]
    public void EntryWithoutChunkIsMalformed()
    {
        var entry = new StreamEntry("1-0", [new NameValueEntry(ChunkQueueStream.TaskField, "task-c")]);

        Assert.Null(ChunkQueueStream.Parse(entry));
    }
}
