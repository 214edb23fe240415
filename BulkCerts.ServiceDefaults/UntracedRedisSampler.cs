using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The sampler for spans without a parent: it drops Redis commands and records everything else. The
/// chunk dispatchers poll Redis several times a second outside any operation, and each poll would
/// otherwise be a trace of its own in the dashboard. Redis commands of a traced operation, such as
/// storing a chunk, have a parent, so <see cref="ParentBasedSampler"/> keeps them.
/// </summary>
public sealed class UntracedRedisSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Record = new(SamplingDecision.RecordAndSample);

    /// <summary>Returns a sampler that follows the parent's decision and uses this sampler for root spans.</summary>
    public static Sampler ParentBased() => new ParentBasedSampler(new UntracedRedisSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        // The Redis instrumentation marks each span at creation with the database system, in the
        // attribute of the older or the newer semantic conventions.
        foreach (var tag in samplingParameters.Tags ?? [])
        {
            if (tag.Key is "db.system" or "db.system.name" && tag.Value is "redis")
            {
                return Drop;
            }
        }

        return Record;
    }
}
