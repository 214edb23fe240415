using System.Diagnostics;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Takes chunks from the queue and issues them: <see cref="BulkCertsOptions.MaxChunksInFlight"/>
/// workers, each taking one chunk at a time, first from abandoned entries, then new ones.
/// An entry is acknowledged only after its result is stored or its task has ended.
/// </summary>
public sealed class ChunkDispatcher(
    ChunkQueueReader queue,
    ChunkIssuer issuer,
    TaskStore tasks,
    ResultProtector protector,
    IConnectionMultiplexer redis,
    IOptions<BulkCertsOptions> options,
    ILogger<ChunkDispatcher> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("BulkCerts.Api.ChunkQueue");

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ChunkAttemptTimeout = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.EnsureGroupAsync();
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(ChunkQueueStream.NoticeChannel, (_, _) => WakeWorkers());

        var workerCount = options.Value.MaxChunksInFlight;
        logger.DispatcherStarted(queue.ConsumerName, workerCount);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workerCount).Select(_ => RunWorkerAsync(stoppingToken)));
        }
        finally
        {
            await subscriber.UnsubscribeAsync(ChunkQueueStream.NoticeChannel);
            logger.DispatcherStopped(queue.ConsumerName);
        }
    }

    private void WakeWorkers()
    {
        var sleeping = options.Value.MaxChunksInFlight - _wake.CurrentCount;
        if (sleeping > 0)
        {
            _wake.Release(sleeping);
        }
    }

    private async Task RunWorkerAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var entry = await queue.ClaimAbandonedAsync() ?? await queue.ReadNewAsync();
                if (entry is { } found)
                {
                    await ProcessEntryAsync(found, stoppingToken);
                }
                else
                {
                    await _wake.WaitAsync(options.Value.QueuePollInterval, stoppingToken);
                }

                failures = 0;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The entry, if one was taken, stays pending and is reclaimed after the claim timeout.
                failures++;
                logger.WorkerFailed(exception, failures);
                await DelayQuietlyAsync(Backoff(failures), stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: an unfinished chunk stays pending and another dispatcher reclaims it.
            }
        }
    }

    private async Task ProcessEntryAsync(StreamEntry entry, CancellationToken stoppingToken)
    {
        if (ChunkQueueStream.Parse(entry) is not { } message)
        {
            logger.MalformedEntryDropped(entry.Id.ToString());
            await queue.AcknowledgeAsync(entry.Id);
            return;
        }

        using var activity = ActivitySource.StartActivity(
            "bulkcerts.chunks process",
            ActivityKind.Consumer,
            message.TraceContext);
        activity?.SetTag("bulkcerts.task_id", message.TaskId);
        activity?.SetTag("bulkcerts.chunk_id", message.ChunkId);

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["TaskId"] = message.TaskId,
            ["ChunkId"] = message.ChunkId,
        });

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewClaimUntilCancelledAsync(message.EntryId, renewal.Token);
        try
        {
            await ProcessChunkAsync(message, stoppingToken);
            await queue.AcknowledgeAsync(message.EntryId);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
    }

    private async Task ProcessChunkAsync(ChunkMessage message, CancellationToken stoppingToken)
    {
        var task = await tasks.GetAsync(message.TaskId);
        if (task is null || task.Status is TaskStates.Failed or TaskStates.Complete
            || await tasks.IsChunkCompleteAsync(message.TaskId, message.ChunkId))
        {
            logger.ChunkSkipped(message.TaskId, message.ChunkId, task?.Status ?? "deleted");
            return;
        }

        await tasks.MarkStartedAsync(message.TaskId);
        var maxAttempts = options.Value.MaxChunkAttempts;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await issuer.IssueAsync(task, message.ChunkId, ChunkAttemptTimeout, stoppingToken);
                var protectedResult = protector.Protect(result.ToByteArray(), message.TaskId, message.ChunkId);
                var completion = await tasks.CompleteChunkAsync(message.TaskId, message.ChunkId, protectedResult);
                logger.ChunkCompleted(message.TaskId, message.ChunkId, result.Certificates.Count, completion);
                return;
            }
            catch (Exception exception) when (IsPermanent(exception))
            {
                await FailTaskAsync(message, $"chunk {message.ChunkId} was rejected: {Describe(exception)}");
                return;
            }
            catch (Exception exception) when (IsTransient(exception, stoppingToken))
            {
                if (attempt >= maxAttempts)
                {
                    await FailTaskAsync(
                        message,
                        $"chunk {message.ChunkId} failed {attempt} times; last error: {Describe(exception)}");
                    return;
                }

                var delay = Backoff(attempt);
                logger.ChunkAttemptFailed(exception, message.TaskId, message.ChunkId, attempt, maxAttempts, delay);
                await Task.Delay(delay, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A fault of this service, not of the engine or Redis: retrying would repeat it.
                await FailTaskAsync(
                    message,
                    $"chunk {message.ChunkId} failed with an internal error ({exception.GetType().Name}); " +
                    "see the Api log for details");
                logger.ChunkFailedUnexpectedly(exception, message.TaskId, message.ChunkId);
                return;
            }
        }
    }

    private async Task FailTaskAsync(ChunkMessage message, string reason)
    {
        logger.TaskFailed(message.TaskId, message.ChunkId, reason);
        await tasks.FailAsync(message.TaskId, reason);
    }

    private async Task RenewClaimUntilCancelledAsync(RedisValue entryId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.ChunkClaimTimeout / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await queue.RenewClaimAsync(entryId);
                }
                catch (RedisException exception)
                {
                    logger.ClaimRenewalFailed(exception, entryId.ToString());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The chunk is done.
        }
    }

    /// <summary>
    /// Errors that another attempt cannot fix: the engine rejected the request itself.
    /// </summary>
    private static bool IsPermanent(Exception exception) => exception is RpcException
    {
        StatusCode: StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition
            or StatusCode.OutOfRange or StatusCode.Unimplemented or StatusCode.PermissionDenied
            or StatusCode.Unauthenticated,
    };

    private static bool IsTransient(Exception exception, CancellationToken stoppingToken) => exception switch
    {
        OperationCanceledException => !stoppingToken.IsCancellationRequested,
        RpcException { StatusCode: StatusCode.Cancelled } => !stoppingToken.IsCancellationRequested,
        RpcException or RedisException or IncompleteChunkException or HttpRequestException => true,
        _ => false,
    };

    private static string Describe(Exception exception) => exception switch
    {
        RpcException rpc => $"CertEngine call failed with {rpc.StatusCode}: {rpc.Status.Detail}",
        _ => exception.Message,
    };

    private static TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, attempt));
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }

    private static async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
