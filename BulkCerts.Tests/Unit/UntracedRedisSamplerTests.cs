using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace BulkCerts.Tests.Unit;

public sealed class UntracedRedisSamplerTests
{
    private static readonly Sampler Sampler = UntracedRedisSampler.ParentBased();

    [Theory]
    [InlineData("db.system")]
    [InlineData("db.system.name")]
    public void RootRedisCommandIsDropped(string attribute)
    {
        var decision = Decide(parent: default, new KeyValuePair<string, object?>(attribute, "redis"));

        Assert.Equal(SamplingDecision.Drop, decision);
    }

    [Fact]
    public void RedisCommandInTraceIsRecorded()
    {
        var parent = new ActivityContext(
            ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        var decision = Decide(parent, new KeyValuePair<string, object?>("db.system", "redis"));

        Assert.Equal(SamplingDecision.RecordAndSample, decision);
    }

    [Fact]
    public void OtherRootSpanIsRecorded()
    {
        var decision = Decide(parent: default, new KeyValuePair<string, object?>("db.system", "postgresql"));

        Assert.Equal(SamplingDecision.RecordAndSample, decision);
    }

    [Fact]
    public void UnsampledParentDropsChild()
    {
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), default);

        Assert.Equal(SamplingDecision.Drop, Decide(parent));
    }

    private static SamplingDecision Decide(ActivityContext parent, params KeyValuePair<string, object?>[] tags)
    {
        var parameters = new SamplingParameters(
            parent,
            parent == default ? ActivityTraceId.CreateRandom() : parent.TraceId,
            "XREADGROUP",
            ActivityKind.Client,
            tags);
        return Sampler.ShouldSample(parameters).Decision;
    }
}
