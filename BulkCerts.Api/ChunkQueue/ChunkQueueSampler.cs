using BulkCerts.Api.Telemetry;
using StackExchange.Redis;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Reads the size of the chunk queue every <see cref="Interval"/> for the queue gauges of
/// <see cref="ApiMetrics"/>. The gauges report the last sample, so a metrics export never waits for
/// Redis. A sample takes two cheap commands: XLEN and the summary form of XPENDING.
/// </summary>
public sealed class ChunkQueueSampler(
    IConnectionMultiplexer redis,
    ApiMetrics metrics,
    ILogger<ChunkQueueSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly IDatabase _database = redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    metrics.SetQueueSample(await SampleAsync());
                    if (failing)
                    {
                        logger.QueueSamplingRecovered();
                        failing = false;
                    }
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    metrics.SetQueueSample(null);
                    if (!failing)
                    {
                        // Logged once per outage rather than every few seconds.
                        logger.QueueSamplingFailed(exception);
                        failing = true;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task<QueueSample> SampleAsync()
    {
        var batch = _database.CreateBatch();
        var length = batch.StreamLengthAsync(ChunkQueueStream.Key);
        var pending = batch.StreamPendingAsync(ChunkQueueStream.Key, ChunkQueueStream.ConsumerGroup);
        batch.Execute();

        long pendingCount;
        try
        {
            pendingCount = (await pending).PendingMessageCount;
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // No dispatcher has created the group yet, so none has taken an entry.
            pendingCount = 0;
        }

        return QueueSample.FromStream(await length, pendingCount);
    }
}

/// <summary>
/// One reading of the chunk queue: entries not yet delivered, and entries delivered but not yet acknowledged.
/// </summary>
public sealed record QueueSample(long Depth, long Pending)
{
    /// <summary>
    /// Derives the sample from the stream's length and the group's pending count. Dispatchers delete
    /// each entry when they acknowledge it, so the stream holds only pending and undelivered entries.
    /// </summary>
    public static QueueSample FromStream(long length, long pending) => new(Math.Max(0, length - pending), pending);
}

internal static partial class QueueSamplerLog
{
    [LoggerMessage(EventId = 320, Level = LogLevel.Warning,
        Message = "Sampling the chunk queue failed; the queue gauges report nothing until a sample succeeds")]
    public static partial void QueueSamplingFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Sampling the chunk queue works again")]
    public static partial void QueueSamplingRecovered(this ILogger logger);
}
