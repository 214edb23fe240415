using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.DeviceKeys;

/// <summary>
/// Fills the RSA key pool one key at a time, on a thread of its own at the lowest scheduling
/// priority, and only while the issuance limiter is idle. It takes no slot of the limiter and
/// checks the limiter again before each key. A request that arrives meanwhile therefore shares
/// the processors only with the key in progress, which gets the least processor time.
/// </summary>
public sealed partial class KeyPoolFiller(
    RsaKeyPool pool,
    IssuanceLimiter limiter,
    IOptions<KeyPoolOptions> options,
    ILogger<KeyPoolFiller> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;

    /// <summary>How long the limiter must have been idle before a key is generated.</summary>
    internal TimeSpan QuietPeriod { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the filler checks the limiter and the pool while it waits.</summary>
    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Runs the filling thread at the lowest scheduling priority. Tests turn it off so that their
    /// keys are not held back by other tests running at the same time.
    /// </summary>
    internal bool LowersPriority { get; init; } = true;

    /// <summary>True from the start of the filling thread until it ends.</summary>
    internal bool IsRunning => _thread is not null && !_stopped.Task.IsCompleted;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            LogPoolOff(logger, $"{KeyPoolOptions.SectionName}:Enabled");
            _stopped.TrySetResult();
            return Task.CompletedTask;
        }

        LogPoolOn(logger, settings.Rsa2048, settings.Rsa3072, settings.Rsa4096);
        if (pool.TotalCapacity == 0)
        {
            _stopped.TrySetResult();
            return Task.CompletedTask;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "RSA key pool" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_thread is null)
        {
            return;
        }

        try
        {
            // The key in progress cannot be interrupted, and an RSA-4096 key can take seconds.
            await _stopped.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout has passed. The background thread does not keep the process
            // alive, and a key that it finishes after the pool is disposed is rejected by the
            // pool and disposed by TryAddKey.
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();

        // A thread that is still finishing its last key uses the token after this, so the token
        // is then left to the garbage collector.
        if (_thread is null || _stopped.Task.IsCompleted)
        {
            _stopping.Dispose();
        }
    }

    /// <summary>
    /// Generates one key of the smallest size whose pool has room, and adds it. Returns false,
    /// without generating, when the limiter is not idle or the pool is full.
    /// </summary>
    internal bool TryAddKey()
    {
        if (!limiter.IsIdleFor(QuietPeriod))
        {
            return false;
        }

        if (FindAlgorithmWithRoom() is not { } algorithm)
        {
            return false;
        }

        var key = DeviceKeyGenerator.Generate(algorithm);
        if (!pool.TryAdd(algorithm, key))
        {
            key.Dispose();
            return false;
        }

        return true;
    }

    private KeyAlgorithm? FindAlgorithmWithRoom()
    {
        foreach (var algorithm in RsaKeyPool.Algorithms)
        {
            if (pool.Count(algorithm) < pool.Capacity(algorithm))
            {
                return algorithm;
            }
        }

        return null;
    }

    private void Run()
    {
        try
        {
            if (LowersPriority && !ThreadNice.TryLowerCurrentThread())
            {
                LogPriorityUnchanged(logger);
            }

            while (!_stopping.IsCancellationRequested)
            {
                if (!TryAddKey())
                {
                    _stopping.Token.WaitHandle.WaitOne(PollInterval);
                }
            }
        }
        catch (Exception exception)
        {
            // An exception must not escape a thread of its own, since it would end the process.
            LogFillingFailed(logger, exception);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message =
        "RSA key pool is on: it keeps up to {Rsa2048} RSA-2048, {Rsa3072} RSA-3072 and {Rsa4096} RSA-4096 " +
        "keys ready, generated while no certificates are being issued")]
    private static partial void LogPoolOn(ILogger logger, int rsa2048, int rsa3072, int rsa4096);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message =
        "RSA key pool is off ({Setting} is false): every RSA key is generated when a certificate is issued")]
    private static partial void LogPoolOff(ILogger logger, string setting);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message =
        "Failed to lower the scheduling priority of the RSA key pool thread on this platform. It still " +
        "generates keys only while no certificates are being issued")]
    private static partial void LogPriorityUnchanged(ILogger logger);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message =
        "RSA key pool stopped filling after an error. Certificates get keys generated when they are issued")]
    private static partial void LogFillingFailed(ILogger logger, Exception exception);
}
