using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// The job of every micro-benchmark: a short run in a process pinned to the first processor, so
/// each figure is the cost of one certificate on one core.
/// </summary>
/// <remarks>
/// The unroll factor is 1 because an RSA-2048 key takes a tenth of a second or more to generate,
/// and BenchmarkDotNet's default unrolled loop of 16 calls would make each such iteration take
/// seconds. The fastest operation measured here takes microseconds, so the loop overhead of a
/// single call per step does not show.
/// </remarks>
[AttributeUsage(AttributeTargets.Class)]
public sealed class MicroJobAttribute : Attribute, IConfigSource
{
    public MicroJobAttribute(int iterationCount = 15)
    {
        var job = Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(iterationCount)
            .WithUnrollFactor(1)
            .WithAffinity(1);
        Config = ManualConfig.CreateEmpty().AddJob(job);
    }

    public IConfig Config { get; }
}
