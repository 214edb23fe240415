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

    public int DegreeOfParallelism { get; } = options.Value.EffectiveDegreeOfParallelism;

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
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

    public void Dispose() => _slots.Dispose();
}
