using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Tests;

public sealed class KeyPoolTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    // Long enough for a filler that ignored the limiter to generate several RSA-2048 keys.
    private static readonly TimeSpan ObservationTime = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task PoolFillsToCapacityWhenIdle()
    {
        await using var engine = new FillerUnderTest(rsa2048: 3);

        await engine.Filler.StartAsync(CancellationToken.None);
        await PoolKeys.WaitUntilAsync(() => engine.Pool.Count(KeyAlgorithm.Rsa2048) == 3, "the pool holds 3 keys");
        await Task.Delay(engine.Filler.PollInterval * 10);

        Assert.True(engine.Filler.IsRunning);
        Assert.Equal(3, engine.Pool.Count(KeyAlgorithm.Rsa2048));
        Assert.Equal(0, engine.Pool.Count(KeyAlgorithm.Rsa3072));
        Assert.Equal(0, engine.Pool.Count(KeyAlgorithm.Rsa4096));
        Assert.False(engine.Filler.TryAddKey(), "The filler generated a key for a full pool.");
    }

    [Fact]
    public void FullPoolRejectsAnotherKey()
    {
        using var pool = PoolKeys.CreatePool(rsa2048: 1);
        PoolKeys.Add(pool, 1);
        using var extra = DeviceKeyGenerator.Generate(KeyAlgorithm.Rsa2048);

        Assert.False(pool.TryAdd(KeyAlgorithm.Rsa2048, extra));
        Assert.Equal(1, pool.Count(KeyAlgorithm.Rsa2048));
    }

    [Fact]
    public void IssuanceUsesEachPooledKeyOnce()
    {
        using var pool = PoolKeys.CreatePool(rsa2048: 3);
        var pooledKeys = PoolKeys.Add(pool, 3);
        var issuance = TestIssuance.Validate(
            TestIssuance.Request(count: 4, keyAlgorithm: KeyAlgorithm.Rsa2048), authorities["EC-P256"]);

        var fromPool = new IssuedCertificate[3];
        Parallel.For(0, 3, offset => fromPool[offset] = DeviceCertificateFactory.Issue(issuance, offset, pool));
        var afterPool = DeviceCertificateFactory.Issue(issuance, 3, pool);

        Assert.Equal(pooledKeys, fromPool.Select(PoolKeys.PublicKeyOf).ToHashSet());
        Assert.Equal(0, pool.Count(KeyAlgorithm.Rsa2048));
        Assert.DoesNotContain(PoolKeys.PublicKeyOf(afterPool), pooledKeys);
    }

    [Fact]
    public void PoolServesOnlyRsa2048Requests()
    {
        using var pool = PoolKeys.CreatePool(rsa2048: 1);
        var pooledKeys = PoolKeys.Add(pool, 1);
        var authority = authorities["EC-P256"];

        var ec = TestIssuance.Issue(TestIssuance.Request(keyAlgorithm: KeyAlgorithm.EcP256), authority).Single();
        var countAfterEc = pool.Count(KeyAlgorithm.Rsa2048);
        var unspecified = DeviceCertificateFactory.Issue(
            TestIssuance.Validate(TestIssuance.Request(keyAlgorithm: KeyAlgorithm.Unspecified), authority), 0, pool);

        Assert.DoesNotContain(PoolKeys.PublicKeyOf(ec), pooledKeys);
        Assert.Equal(1, countAfterEc);
        Assert.Contains(PoolKeys.PublicKeyOf(unspecified), pooledKeys);
        Assert.Equal(0, pool.Count(KeyAlgorithm.Rsa2048));
    }

    [Fact]
    public async Task FillerWaitsWhileIssuanceRuns()
    {
        await using var engine = new FillerUnderTest(rsa2048: 3);
        using var release = new ManualResetEventSlim();
        var issuance = await engine.HoldLimiterAsync(release);

        var addedWhileBusy = engine.Filler.TryAddKey();
        await engine.Filler.StartAsync(CancellationToken.None);
        await Task.Delay(ObservationTime);
        var countWhileBusy = engine.Pool.Count(KeyAlgorithm.Rsa2048);
        release.Set();
        await issuance;
        await PoolKeys.WaitUntilAsync(() => engine.Pool.Count(KeyAlgorithm.Rsa2048) == 3, "the pool holds 3 keys");

        Assert.False(addedWhileBusy, "The filler generated a key while the limiter had work.");
        Assert.Equal(0, countWhileBusy);
    }

    [Fact]
    public async Task FillerStopsWhenIssuanceStarts()
    {
        await using var engine = new FillerUnderTest(rsa2048: 4);
        using var release = new ManualResetEventSlim();

        await engine.Filler.StartAsync(CancellationToken.None);
        await PoolKeys.WaitUntilAsync(() => engine.Pool.Count(KeyAlgorithm.Rsa2048) >= 1, "the pool holds a key");
        var issuance = await engine.HoldLimiterAsync(release);
        var countAtStart = engine.Pool.Count(KeyAlgorithm.Rsa2048);
        await Task.Delay(ObservationTime);
        var countAfterWait = engine.Pool.Count(KeyAlgorithm.Rsa2048);
        release.Set();
        await issuance;
        await PoolKeys.WaitUntilAsync(() => engine.Pool.Count(KeyAlgorithm.Rsa2048) == 4, "the pool holds 4 keys");

        // The key in progress when the issuance started may still be added.
        Assert.InRange(countAfterWait, countAtStart, countAtStart + 1);
    }

    [Fact]
    public async Task DisabledPoolGeneratesNoKeys()
    {
        await using var engine = new FillerUnderTest(enabled: false, rsa2048: 3);

        await engine.Filler.StartAsync(CancellationToken.None);
        var addedByHand = engine.Filler.TryAddKey();
        await Task.Delay(engine.Filler.PollInterval * 10);

        Assert.False(engine.Filler.IsRunning, "A disabled pool started its filling thread.");
        Assert.False(addedByHand, "A disabled pool generated a key.");
        Assert.Equal(0, engine.Pool.Capacity(KeyAlgorithm.Rsa2048));
        Assert.Equal(0, engine.Pool.Count(KeyAlgorithm.Rsa2048));
    }

    [Fact]
    public void DisposedPoolDisposesItsKeys()
    {
        var pool = PoolKeys.CreatePool(rsa2048: 2);
        var key = DeviceKeyGenerator.Generate(KeyAlgorithm.Rsa2048);
        Assert.True(pool.TryAdd(KeyAlgorithm.Rsa2048, key));
        using var lateKey = DeviceKeyGenerator.Generate(KeyAlgorithm.Rsa2048);

        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.ExportPrivateKeyPem(PrivateKeyFormat.Pkcs8));
        Assert.False(pool.TryTake(KeyAlgorithm.Rsa2048, out _));
        Assert.False(pool.TryAdd(KeyAlgorithm.Rsa2048, lateKey), "A disposed pool accepted a key.");
    }

    [Fact]
    public async Task LimiterIdleOnlyAfterQuietPeriod()
    {
        using var limiter = new IssuanceLimiter(Options.Create(new CertEngineOptions { MaxDegreeOfParallelism = 1 }));

        await limiter.RunAsync(() => 0, CancellationToken.None);

        Assert.Equal(0, limiter.ActiveCount);
        Assert.True(limiter.IsIdleFor(TimeSpan.Zero));
        Assert.False(limiter.IsIdleFor(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void LoweredPriorityAffectsOneThread()
    {
        // The nice value of a thread is read from /proc, which exists on Linux only.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var niceBefore = ReadNiceOfCurrentThread();
        var lowered = false;
        var niceOfLowered = -1;
        var thread = new Thread(() =>
        {
            lowered = ThreadNice.TryLowerCurrentThread();
            niceOfLowered = ReadNiceOfCurrentThread();
        });
        thread.Start();
        thread.Join();

        Assert.True(lowered, "setpriority failed.");
        Assert.Equal(19, niceOfLowered);
        Assert.Equal(niceBefore, ReadNiceOfCurrentThread());
    }

    [Theory]
    [InlineData("Rsa2048", -1)]
    [InlineData("Rsa3072", 10_001)]
    [InlineData("Rsa4096", int.MaxValue)]
    public void ValidatorRejectsOutOfRangeCapacity(string setting, int capacity)
    {
        var options = setting switch
        {
            "Rsa2048" => new KeyPoolOptions { Rsa2048 = capacity },
            "Rsa3072" => new KeyPoolOptions { Rsa3072 = capacity },
            _ => new KeyPoolOptions { Rsa4096 = capacity },
        };

        var result = new KeyPoolOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"CertEngine:KeyPool:{setting} is {capacity}", result.FailureMessage);
        Assert.Contains("from 0 (no pool for this key size) to 10000", result.FailureMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000)]
    public void ValidatorAcceptsBoundaryCapacities(int capacity)
    {
        var options = new KeyPoolOptions { Enabled = true, Rsa2048 = capacity, Rsa3072 = capacity, Rsa4096 = capacity };

        var result = new KeyPoolOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void KeyPoolSettingsBindFromConfiguration()
    {
        using var host = BuildEngineHost(new()
        {
            ["CertEngine:KeyPool:Enabled"] = "true",
            ["CertEngine:KeyPool:Rsa2048"] = "5",
            ["CertEngine:KeyPool:Rsa4096"] = "2",
        });

        var pool = host.Services.GetRequiredService<RsaKeyPool>();

        Assert.Equal(5, pool.Capacity(KeyAlgorithm.Rsa2048));
        Assert.Equal(0, pool.Capacity(KeyAlgorithm.Rsa3072));
        Assert.Equal(2, pool.Capacity(KeyAlgorithm.Rsa4096));
        Assert.Contains(host.Services.GetServices<IHostedService>(), service => service is KeyPoolFiller);
    }

    [Fact]
    public async Task EngineStartRejectsInvalidCapacity()
    {
        using var host = BuildEngineHost(new() { ["CertEngine:KeyPool:Rsa3072"] = "10001" });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("CertEngine:KeyPool:Rsa3072 is 10001", exception.Message);
    }

    // The nice value is field 19 of /proc/thread-self/stat. The fields after the command name,
    // which is in parentheses, start at field 3.
    private static int ReadNiceOfCurrentThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IHost BuildEngineHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration["CertEngine:AllowAnonymousCallers"] = "true";
        builder.AddCertEngineServices();
        return builder.Build();
    }

    /// <summary>
    /// A pool, a limiter with one slot and a filler that checks every 10 ms, needs no quiet period
    /// and keeps its normal priority, so that tests wait only for key generation.
    /// </summary>
    private sealed class FillerUnderTest : IAsyncDisposable
    {
        public FillerUnderTest(bool enabled = true, int rsa2048 = 3)
        {
            var options = Options.Create(new KeyPoolOptions { Enabled = enabled, Rsa2048 = rsa2048 });
            Pool = new RsaKeyPool(options);
            Limiter = new IssuanceLimiter(Options.Create(new CertEngineOptions { MaxDegreeOfParallelism = 1 }));
            Filler = new KeyPoolFiller(Pool, Limiter, options, NullLogger<KeyPoolFiller>.Instance)
            {
                QuietPeriod = TimeSpan.Zero,
                PollInterval = TimeSpan.FromMilliseconds(10),
                LowersPriority = false,
            };
        }

        public RsaKeyPool Pool { get; }

        public IssuanceLimiter Limiter { get; }

        public KeyPoolFiller Filler { get; }

        /// <summary>
        /// Starts work in the limiter that runs until <paramref name="release"/> is set, waits until
        /// the limiter counts it, and returns the task of that work.
        /// </summary>
        public async Task<Task> HoldLimiterAsync(ManualResetEventSlim release)
        {
            var work = Task.Run(() => Limiter.RunAsync(
                () => release.Wait(TimeSpan.FromSeconds(60)),
                CancellationToken.None));
            await PoolKeys.WaitUntilAsync(() => Limiter.ActiveCount == 1, "the limiter has work");
            return work;
        }

        public async ValueTask DisposeAsync()
        {
            await Filler.StopAsync(CancellationToken.None);
            Filler.Dispose();
            Pool.Dispose();
            Limiter.Dispose();
        }
    }
}
