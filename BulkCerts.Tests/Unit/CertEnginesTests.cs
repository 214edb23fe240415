using BulkCerts.Api;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Unit;

public sealed class CertEnginesTests
{
    private static readonly string[] Names = ["certengine", "certengine-2", "certengine-3"];

    [Fact]
    public void ConcurrentCallsGoToDifferentInstances()
    {
        var engines = Create(new SettableClock());

        using var first = engines.Acquire();
        using var second = engines.Acquire();
        using var third = engines.Acquire();

        Assert.Equal(Names, new[] { first, second, third }.Select(lease => lease.Instance.Name).Order());
    }

    [Fact]
    public void FreedInstanceIsTakenNext()
    {
        var engines = Create(new SettableClock());
        var leases = Enumerable.Range(0, 3).Select(_ => engines.Acquire()).ToList();
        var freed = leases[1].Instance.Name;

        leases[1].Dispose();
        using var next = engines.Acquire();

        Assert.Equal(freed, next.Instance.Name);
        leases.ForEach(lease => lease.Dispose());
    }

    [Fact]
    public void SequentialCallsRotateOverInstances()
    {
        var engines = Create(new SettableClock());

        var picked = Enumerable.Range(0, 6).Select(_ =>
        {
            using var lease = engines.Acquire();
            return lease.Instance.Name;
        }).ToList();

        Assert.All(Names, name => Assert.Equal(2, picked.Count(pick => pick == name)));
    }

    [Fact]
    public void UnreachableInstanceIsPassedOverForAWhile()
    {
        var clock = new SettableClock();
        var engines = Create(clock);
        string unreachable;
        using (var lease = engines.Acquire())
        {
            unreachable = lease.Instance.Name;
            lease.ReportUnreachable();
        }

        var meanwhile = Enumerable.Range(0, 10).Select(_ =>
        {
            using var lease = engines.Acquire();
            return lease.Instance.Name;
        }).ToList();
        clock.Advance(CertEngines.UnreachablePenalty);
        var later = Enumerable.Range(0, 3).Select(_ =>
        {
            using var lease = engines.Acquire();
            return lease.Instance.Name;
        }).ToList();

        Assert.DoesNotContain(unreachable, meanwhile);
        Assert.Contains(unreachable, later);
    }

    [Fact]
    public void AllUnreachableStillYieldsAnInstance()
    {
        var engines = Create(new SettableClock());
        foreach (var _ in Names)
        {
            using var lease = engines.Acquire();
            lease.ReportUnreachable();
        }

        using var fallback = engines.Acquire();

        Assert.Contains(fallback.Instance.Name, Names);
    }

    [Fact]
    public void NoSettingMeansTheDefaultInstance()
    {
        var engines = new CertEngines(new ChannelFreeClients(), Options.Create(new BulkCertsOptions()), new SettableClock());

        Assert.Equal([BulkCertsOptions.DefaultCertEngine], engines.All.Select(instance => instance.Name));
    }

    private static CertEngines Create(TimeProvider clock) =>
        new(new ChannelFreeClients(), Options.Create(new BulkCertsOptions { CertEngines = [.. Names] }), clock);

    /// <summary>Creates clients over a channel that is never used: these tests make no calls.</summary>
    private sealed class ChannelFreeClients : GrpcClientFactory
    {
        private static readonly GrpcChannel Channel = GrpcChannel.ForAddress("http://127.0.0.1:9");

        public override TClient CreateClient<TClient>(string name) =>
            (TClient)Activator.CreateInstance(typeof(TClient), (ChannelBase)Channel)!;
    }
}
