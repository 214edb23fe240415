using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using BulkCerts.Api.Registry;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.Api.Telemetry;
using BulkCerts.CertEngine.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Takes chunks from the queue and issues them: <see cref="BulkCertsOptions.MaxChunksInFlight"/>
/// workers, each taking one chunk at a time, first from abandoned entries, then new ones.
/// An entry is acknowledged only after its result is stored or its task has ended, so a chunk
/// whose dispatcher dies stays pending until another dispatcher claims it.
/// </summary>
/// <remarks>
/// Attempts are counted in Redis, so a chunk that brings down every dispatcher that takes it
/// still ends its task after <see cref="BulkCertsOptions.MaxChunkAttempts"/>. When the Api stops,
/// workers take no new chunks, let the ones in flight finish within
/// <see cref="BulkCertsOptions.ShutdownDrainTimeout"/>, and put the rest back in the queue.
/// </remarks>
public sealed class ChunkDispatcher(
    ChunkQueueReader queue,
    ChunkIssuer issuer,
    TaskStore tasks,
    ResultProtector protector,
    RegistryStore registry,
    IConnectionMultiplexer redis,
    ApiMetrics metrics,
    IOptions<BulkCertsOptions> options,
    ILogger<ChunkDispatcher> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("BulkCerts.Api.ChunkQueue");

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ChunkAttemptTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxWatchInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan IdleConsumerAge = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.EnsureGroupAsync();
        var removed = await queue.RemoveIdleConsumersAsync(IdleConsumerAge);
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(ChunkQueueStream.NoticeChannel, (_, _) => WakeWorkers());

        // Cancelled a drain period after stopping begins. Chunks still in flight then go back to the queue.
        using var abort = new CancellationTokenSource();
        await using var drain = stoppingToken.Register(() => abort.CancelAfter(options.Value.ShutdownDrainTimeout));

        var workerCount = options.Value.MaxChunksInFlight;
        logger.DispatcherStarted(queue.ConsumerName, workerCount, removed);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workerCount)
                .Select(_ => RunWorkerAsync(stoppingToken, abort.Token)));
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

    private async Task RunWorkerAsync(CancellationToken stoppingToken, CancellationToken abortToken)
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
                    await ProcessEntryAsync(found, stoppingToken, abortToken);
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
                if (IsMissingGroup(exception))
                {
                    // Redis lost its data, for example a restart without its append-only file.
                    await queue.EnsureGroupAsync();
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: an unfinished chunk stays pending and another dispatcher reclaims it.
            }
        }
    }

    private async Task ProcessEntryAsync(
        StreamEntry entry,
        CancellationToken stoppingToken,
        CancellationToken abortToken)
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

        var run = new ChunkRun();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await RunChunkAsync(message, run, stoppingToken, abortToken);
        }
        finally
        {
            activity?.SetTag(ApiMetrics.OutcomeTag, run.Outcome);
            metrics.ChunkEnded(run.Outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Issues a chunk while watching its claim and task, then acknowledges it, unless it was
    /// interrupted and so ends as <see cref="EndInterruptedChunkAsync"/> decides.
    /// </summary>
    private async Task RunChunkAsync(
        ChunkMessage message,
        ChunkRun run,
        CancellationToken stoppingToken,
        CancellationToken abortToken)
    {
        using var chunkCancellation = CancellationTokenSource.CreateLinkedTokenSource(abortToken);
        using var watchCancellation = new CancellationTokenSource();
        var watch = WatchChunkAsync(message, chunkCancellation, watchCancellation.Token);
        try
        {
            await ProcessChunkAsync(message, run, stoppingToken, chunkCancellation.Token);
        }
        catch (OperationCanceledException) when (chunkCancellation.IsCancellationRequested
            || stoppingToken.IsCancellationRequested)
        {
            await watchCancellation.CancelAsync();
            await EndInterruptedChunkAsync(message, run, await watch);
            return;
        }
        catch (Exception exception) when (!IsTransient(exception))
        {
            // A fault of this service outside the attempts, such as an unreadable task record.
            // Leaving the entry pending would have every dispatcher fail on it in turn, forever.
            logger.ChunkFailedUnexpectedly(exception, message.TaskId, message.ChunkId);
            await FailTaskAsync(message, run, InternalError(message, exception));
        }
        finally
        {
            await watchCancellation.CancelAsync();
        }

        await watch;
        await queue.AcknowledgeAsync(message.EntryId);
    }

    /// <summary>
    /// Ends a cancelled chunk by the reason for the cancellation: leaves it to the dispatcher that
    /// took it over, acknowledges it when its task ended, or puts it back in the queue when stopping.
    /// </summary>
    private async Task EndInterruptedChunkAsync(ChunkMessage message, ChunkRun run, ChunkWatch watch)
    {
        switch (watch)
        {
            case ChunkWatch.ClaimLost:
                run.Outcome = ChunkOutcomes.ClaimLost;
                logger.ClaimLost(message.TaskId, message.ChunkId);
                return;
            case ChunkWatch.TaskEnded:
                run.Outcome = ChunkOutcomes.Skipped;
                await queue.AcknowledgeAsync(message.EntryId);
                return;
        }

        try
        {
            await queue.ReturnAsync(message);
            run.Outcome = ChunkOutcomes.Returned;
            if (run.AttemptInProgress)
            {
                await tasks.ReturnChunkAttemptAsync(message.TaskId, message.ChunkId);
            }

            logger.ChunkReturned(message.TaskId, message.ChunkId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            logger.ChunkReturnFailed(exception, message.TaskId, message.ChunkId);
        }
    }

    private async Task ProcessChunkAsync(
        ChunkMessage message,
        ChunkRun run,
        CancellationToken stoppingToken,
        CancellationToken chunkToken)
    {
        var task = await tasks.GetAsync(message.TaskId);
        if (task is null || task.Status is TaskStates.Failed or TaskStates.Complete
            || await tasks.IsChunkCompleteAsync(message.TaskId, message.ChunkId))
        {
            run.Outcome = ChunkOutcomes.Skipped;
            logger.ChunkSkipped(message.TaskId, message.ChunkId, task?.Status ?? "deleted");
            return;
        }

        await tasks.MarkStartedAsync(message.TaskId);
        using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, chunkToken);
        var maxAttempts = options.Value.MaxChunkAttempts;
        var attempt = 0;
        var failures = 0;
        byte[]? sealedResult = null;
        IssueCertificatesResponse? issued = null;
        var certificateCount = 0;
        var rejectedCount = 0;
        while (true)
        {
            try
            {
                // Once issued, a chunk is kept while storing it is retried, so it is not issued again.
                if (sealedResult is null)
                {
                    if (await tasks.BeginChunkAttemptAsync(message.TaskId, message.ChunkId) is not { } counted)
                    {
                        run.Outcome = ChunkOutcomes.Skipped;
                        logger.ChunkAbandoned(message.TaskId, message.ChunkId, "deleted");
                        return;
                    }

                    attempt = counted;
                    if (attempt > maxAttempts)
                    {
                        var lastError = await tasks.GetChunkErrorAsync(message.TaskId, message.ChunkId)
                            ?? "the dispatchers issuing it stopped before they finished";
                        await FailTaskAsync(
                            message,
                            run,
                            $"chunk {message.ChunkId} failed {maxAttempts} times; last error: {lastError}");
                        return;
                    }

                    run.AttemptInProgress = true;
                    var result = await issuer.IssueAsync(task, message.ChunkId, ChunkAttemptTimeout, chunkToken);
                    sealedResult = Seal(result, message);
                    rejectedCount = result.Certificates.Count(certificate => certificate.Error.Length > 0);
                    certificateCount = result.Certificates.Count - rejectedCount;
                    issued = task.Request.Register ? result : null;
                }

                // Registered before the result is stored, so that no downloaded certificate is missing
                // from the registry. Writing again after a failed store changes nothing.
                // NOTE: a chunk that two dispatchers both issue (a claim taken over while the first was
                // still working) registers both sets, though only one is stored and downloaded.
                if (issued is not null)
                {
                    await registry.RegisterAsync(task, issued.Certificates);
                    issued = null;
                }

                var completion = await tasks.CompleteChunkAsync(
                    message.TaskId, message.ChunkId, certificateCount, sealedResult, rejectedCount);
                run.AttemptInProgress = false;
                run.Outcome = completion switch
                {
                    ChunkCompletion.Stored or ChunkCompletion.TaskCompleted => ChunkOutcomes.Stored,
                    ChunkCompletion.AlreadyStored => ChunkOutcomes.Duplicate,
                    _ => ChunkOutcomes.Skipped,
                };
                if (run.Outcome == ChunkOutcomes.Stored)
                {
                    metrics.CertificatesIssued(task, certificateCount);
                }

                logger.ChunkCompleted(message.TaskId, message.ChunkId, certificateCount, completion);
                return;
            }
            catch (Exception) when (chunkToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(chunkToken);
            }
            catch (Exception exception) when (IsPermanent(exception))
            {
                run.AttemptInProgress = false;
                await FailTaskAsync(message, run, $"chunk {message.ChunkId} was rejected: {Describe(exception)}");
                return;
            }
            catch (Exception exception) when (IsTransient(exception))
            {
                run.AttemptInProgress = false;
                failures++;
                if (sealedResult is null)
                {
                    if (attempt >= maxAttempts)
                    {
                        await FailTaskAsync(
                            message,
                            run,
                            $"chunk {message.ChunkId} failed {attempt} times; last error: {Describe(exception)}");
                        return;
                    }

                    await TryRecordErrorAsync(message, Describe(exception));
                }

                var delay = Backoff(failures);
                logger.ChunkAttemptFailed(exception, message.TaskId, message.ChunkId, attempt, maxAttempts, delay);
                await Task.Delay(delay, waitCancellation.Token);
                if (HasEnded(await TryGetStatusAsync(message)))
                {
                    run.Outcome = ChunkOutcomes.Skipped;
                    logger.ChunkAbandoned(message.TaskId, message.ChunkId, "failed or deleted");
                    return;
                }
            }
            catch (Exception exception)
            {
                // A fault of this service, not of the engine or Redis: retrying would repeat it.
                run.AttemptInProgress = false;
                logger.ChunkFailedUnexpectedly(exception, message.TaskId, message.ChunkId);
                await FailTaskAsync(message, run, InternalError(message, exception));
                return;
            }
        }
    }

    private async Task FailTaskAsync(ChunkMessage message, ChunkRun run, string reason)
    {
        run.Outcome = ChunkOutcomes.Failed;
        logger.TaskFailed(message.TaskId, message.ChunkId, reason);
        await tasks.FailAsync(message.TaskId, reason);
    }

    private static string InternalError(ChunkMessage message, Exception exception) =>
        $"chunk {message.ChunkId} failed with an internal error ({exception.GetType().Name}); " +
        "see the Api log for details";

    private async Task TryRecordErrorAsync(ChunkMessage message, string error)
    {
        try
        {
            await tasks.RecordChunkErrorAsync(message.TaskId, message.ChunkId, error);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // The attempt itself is counted, so only the error text for a later failure message is lost.
            logger.ChunkStateUnavailable(exception, message.TaskId, message.ChunkId);
        }
    }

    /// <summary>
    /// Returns the task's status: null when the task is gone, and "unknown" when Redis cannot be
    /// reached, so the caller goes on.
    /// </summary>
    private async Task<string?> TryGetStatusAsync(ChunkMessage message)
    {
        try
        {
            return await tasks.GetStatusAsync(message.TaskId);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            logger.ChunkStateUnavailable(exception, message.TaskId, message.ChunkId);
            return "unknown";
        }
    }

    /// <summary>Returns whether a task with this status needs no more chunks: it failed or was deleted.</summary>
    private static bool HasEnded(string? status) => status is null or TaskStates.Failed;

    /// <summary>
    /// Encrypts a chunk's certificates for storage. The plaintext goes through a pooled buffer, which
    /// is wiped afterwards: a chunk is often over 85 KB, and a new array of that size per chunk would
    /// go to the large object heap, which only full collections free.
    /// </summary>
    private byte[] Seal(IssueCertificatesResponse result, ChunkMessage message)
    {
        var size = result.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var plaintext = buffer.AsSpan(0, size);
        try
        {
            result.WriteTo(plaintext);
            return protector.Protect(plaintext, message.TaskId, message.ChunkId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// While a chunk is in flight: renews this dispatcher's claim on it, and cancels it when the
    /// claim was taken over, or when its task failed or was deleted.
    /// </summary>
    private async Task<ChunkWatch> WatchChunkAsync(
        ChunkMessage message,
        CancellationTokenSource chunkCancellation,
        CancellationToken cancellationToken)
    {
        var interval = options.Value.ChunkClaimTimeout / 3;
        using var timer = new PeriodicTimer(interval < MaxWatchInterval ? interval : MaxWatchInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    if (!await queue.RenewClaimAsync(message.EntryId))
                    {
                        await chunkCancellation.CancelAsync();
                        return ChunkWatch.ClaimLost;
                    }

                    if (HasEnded(await tasks.GetStatusAsync(message.TaskId)))
                    {
                        logger.ChunkAbandoned(message.TaskId, message.ChunkId, "failed or deleted");
                        await chunkCancellation.CancelAsync();
                        return ChunkWatch.TaskEnded;
                    }
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    logger.ClaimRenewalFailed(exception, message.EntryId.ToString());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The chunk is done.
        }

        return ChunkWatch.Running;
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

    /// <summary>
    /// Errors of an unreachable or overloaded engine or Redis. A RedisTimeoutException is a
    /// TimeoutException, not a RedisException.
    /// </summary>
    private static bool IsTransient(Exception exception) => exception is RpcException or RedisException
        or TimeoutException or OperationCanceledException or IncompleteChunkException or HttpRequestException;

    private static bool IsMissingGroup(Exception exception) =>
        exception is RedisServerException && exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal);

    private static string Describe(Exception exception) => exception switch
    {
        RpcException rpc => $"CertEngine call failed with {rpc.StatusCode}: {rpc.Status.Detail}",
        _ => exception.Message,
    };

    private TimeSpan Backoff(int failures)
    {
        var first = options.Value.RetryDelay.TotalSeconds;
        var seconds = Math.Min(MaxBackoff.TotalSeconds, first * Math.Pow(2, failures - 1));
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

    /// <summary>State of one dispatcher's work on one chunk.</summary>
    private sealed class ChunkRun
    {
        /// <summary>An attempt was counted and has neither finished nor failed.</summary>
        public bool AttemptInProgress { get; set; }

        /// <summary>How the work ended, one of <see cref="ChunkOutcomes"/>. It stays an error unless set.</summary>
        public string Outcome { get; set; } = ChunkOutcomes.Error;
    }

    private enum ChunkWatch
    {
        Running,
        ClaimLost,
        TaskEnded,
    }
}
