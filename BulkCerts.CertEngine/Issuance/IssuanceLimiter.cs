using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Bounds the number of certificates generated at once across all calls, so concurrent calls
/// share the processors instead of oversubscribing them and starving the gRPC I/O threads.
/// </summary>
public sealed class IssuanceLimiter(IOptions<CertEngineOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(
        options.Value.EffectiveDegreeOfParallelism,
        options.Value.EffectiveDegreeOfParallelism);

    // Work items that are waiting for a slot or running, and Environment.TickCount64 when the
    // last one ended. The key pool fills only while the limiter has been idle for a while.
    private int _activeCount;
    private long _lastEndTicks = Environment.TickCount64;

    public int DegreeOfParallelism { get; } = options.Value.EffectiveDegreeOfParallelism;

    /// <summary>Number of work items that are waiting for a slot or running.</summary>
    public int ActiveCount => Volatile.Read(ref _activeCount);

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _activeCount);
        try
        {
            await _slots.WaitAsync(cancellationToken);
            try
            {
                return work();
            }
            finally
            {
                _slots.Release();
            }
        }
        finally
        {
            // The end time is written before the count drops, so a reader that finds no active
            // work also reads the end time of the last work item.
            Volatile.Write(ref _lastEndTicks, Environment.TickCount64);
            Interlocked.Decrement(ref _activeCount);
        }
    }

    /// <summary>
    /// Returns true when no work is waiting or running and none has ended within
    /// <paramref name="quietPeriod"/>. Gaps shorter than the quiet period, such as those between
    /// the certificates of one call, then do not count as idle.
    /// </summary>
    public bool IsIdleFor(TimeSpan quietPeriod)
    {
        if (ActiveCount > 0)
        {
            return false;
        }

        var idleMilliseconds = Environment.TickCount64 - Volatile.Read(ref _lastEndTicks);
        return idleMilliseconds >= quietPeriod.TotalMilliseconds;
    }

    public void Dispose() => _slots.Dispose();
}
