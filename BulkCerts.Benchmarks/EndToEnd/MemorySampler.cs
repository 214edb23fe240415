namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>Samples the resident memory of processes every 50 ms and keeps the peak of each.</summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly IReadOnlyList<int> _processIds;
    private readonly long[] _peaks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public MemorySampler(IReadOnlyList<int> processIds)
    {
        _processIds = processIds;
        _peaks = new long[processIds.Count];
        _sampling = SampleAsync();
    }

    /// <summary>The highest resident set size seen in any of the processes, in bytes.</summary>
    public long PeakBytes => _peaks.DefaultIfEmpty().Max();

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                for (var i = 0; i < _processIds.Count; i++)
                {
                    _peaks[i] = Math.Max(_peaks[i], ProcessTree.ResidentBytes(_processIds[i]));
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Sampling ends when the sampler is disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
