using BulkCerts.CertEngine.V1;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// The CertEngine instances this Api calls, from <c>BulkCerts:CertEngines</c>. Each chunk goes to
/// the instance with the fewest calls in flight, so chunks spread over all of them. An instance whose
/// last call failed as unreachable is passed over for a few seconds while others are available.
/// </summary>
/// <remarks>
/// Each instance has its own client and connection. Behind one address, a proxy that balances
/// connections would send every call of the Api's single HTTP/2 connection to the same instance.
/// </remarks>
public sealed class CertEngines
{
    /// <summary>How long an instance that was unreachable is passed over.</summary>
    public static readonly TimeSpan UnreachablePenalty = TimeSpan.FromSeconds(5);

    private readonly Lazy<Instance[]> _all;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private int _next;

    public CertEngines(GrpcClientFactory clients, IOptions<BulkCertsOptions> options, TimeProvider clock)
    {
        _clock = clock;

        // Created on first use, after the settings check at start has rejected invalid names.
        _all = new(() => [.. options.Value.CertEngineNames.Select(name => new Instance(
            name,
            clients.CreateClient<CertificateEngine.CertificateEngineClient>(name),
            clients.CreateClient<Health.HealthClient>(HealthClientName(name))))]);
    }

    public IReadOnlyList<Instance> All => _all.Value;

    /// <summary>Returns the name under which the health client of an instance is registered.</summary>
    public static string HealthClientName(string name) => $"{name}-health";

    /// <summary>
    /// Takes the instance with the fewest calls in flight, preferring reachable ones, and counts the
    /// call until the lease is disposed. Ties go round the instances in turn.
    /// </summary>
    public Lease Acquire()
    {
        var instances = _all.Value;
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            Instance? best = null;
            for (var i = 0; i < instances.Length; i++)
            {
                var candidate = instances[(_next + i) % instances.Length];
                if (best is null || Ranks(candidate, best, now))
                {
                    best = candidate;
                }
            }

            _next = (_next + 1) % instances.Length;
            best!.CallsInFlight++;
            return new Lease(this, best);
        }
    }

    /// <summary>Returns a client for a short call, such as reading the CA list, on the least busy instance.</summary>
    public CertificateEngine.CertificateEngineClient PickClient()
    {
        using var lease = Acquire();
        return lease.Instance.Client;
    }

    private static bool Ranks(Instance candidate, Instance best, DateTimeOffset now)
    {
        var candidateReachable = candidate.UnreachableUntil <= now;
        var bestReachable = best.UnreachableUntil <= now;
        if (candidateReachable != bestReachable)
        {
            return candidateReachable;
        }

        return candidate.CallsInFlight < best.CallsInFlight;
    }

    private void Release(Instance instance, bool unreachable)
    {
        lock (_lock)
        {
            instance.CallsInFlight--;
            if (unreachable)
            {
                instance.UnreachableUntil = _clock.GetUtcNow() + UnreachablePenalty;
            }
        }
    }

    public sealed class Instance(
        string name,
        CertificateEngine.CertificateEngineClient client,
        Health.HealthClient health)
    {
        public string Name { get; } = name;

        public CertificateEngine.CertificateEngineClient Client { get; } = client;

        public Health.HealthClient Health { get; } = health;

        internal int CallsInFlight { get; set; }

        internal DateTimeOffset UnreachableUntil { get; set; }
    }

    /// <summary>A call in flight on an instance, counted until the lease is disposed.</summary>
    public sealed class Lease(CertEngines owner, Instance instance) : IDisposable
    {
        private bool _unreachable;
        private bool _disposed;

        public Instance Instance { get; } = instance;

        /// <summary>Marks the instance as unreachable, so that the next calls prefer the others.</summary>
        public void ReportUnreachable() => _unreachable = true;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                owner.Release(Instance, _unreachable);
            }
        }
    }
}
