using System.Diagnostics;
using System.Text.Json;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Telemetry;
using BulkCerts.CertEngine.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.Tasks;

/// <summary>
/// Task records, completed chunks and their results in Redis. Every change that must not be
/// half-done runs in one transaction or one script.
/// </summary>
public sealed class TaskStore(
    IConnectionMultiplexer redis,
    IOptions<BulkCertsOptions> options,
    TimeProvider clock,
    ApiMetrics metrics)
{
    private const string StatusField = "status";
    private const string MessageField = "message";
    private const string TraceParentField = "traceparent";
    private const string TraceStateField = "tracestate";

    // Stores a chunk's result and counts it, once per chunk: SADD returns 0 for a chunk stored
    // before, so a chunk issued twice (a reclaimed chunk finished by both dispatchers) changes
    // nothing. Returns 1 when stored, 2 when stored as the task's last chunk, 0 when already stored,
    // -1 when the task is gone and -2 when it failed. Each stored chunk adds a progress event. The
    // chunk keys that the completion step refreshes share the task's hash slot.
    private static readonly LuaScript CompleteChunkScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @task) == 0 then return -1 end
        local status = redis.call('HGET', @task, 'status')
        if status == 'failed' then return -2 end
        if redis.call('SADD', @done, @chunkId) == 0 then return 0 end
        redis.call('SET', @chunk, @result, 'EX', @retention)
        local pending = redis.call('HINCRBY', @task, 'chunksPending', -1)
        local issued = redis.call('HINCRBY', @task, 'certificatesIssued', @count)
        local rejected = redis.call('HINCRBY', @task, 'certificatesRejected', @rejected)
        local next = 'in_progress'
        if pending <= 0 then next = 'complete' end
        if status ~= next then redis.call('HSET', @task, 'status', next) end
        redis.call('XADD', @events, '*', 'status', next, 'chunksPending', pending, 'certificatesIssued', issued,
          'certificatesRejected', rejected)
        if pending <= 0 then
          local total = tonumber(redis.call('HGET', @task, 'chunksTotal'))
          for i = 1, total do redis.call('EXPIRE', @chunkPrefix .. i, @retention) end
          redis.call('EXPIRE', @task, @retention)
          redis.call('EXPIRE', @done, @retention)
          redis.call('EXPIRE', @names, @retention)
          redis.call('EXPIRE', @csrs, @retention)
          redis.call('EXPIRE', @attempts, @retention)
          redis.call('EXPIRE', @events, @retention)
          redis.call('DEL', @password)
          return 2
        end
        return 1
        """);

    private static readonly LuaScript StartScript = LuaScript.Prepare("""
        if redis.call('HGET', @task, 'status') == 'pending' then
          redis.call('HSET', @task, 'status', 'in_progress')
          local fields = redis.call('HMGET', @task, 'chunksPending', 'certificatesIssued', 'certificatesRejected')
          redis.call('XADD', @events, '*', 'status', 'in_progress', 'chunksPending', fields[1] or 0,
            'certificatesIssued', fields[2] or 0, 'certificatesRejected', fields[3] or 0)
        end
        """);

    // Marks a task failed and deletes the private keys of the chunks it already stored: no one can
    // download them any more. The record stays until its retention ends, to report the reason.
    private static readonly LuaScript FailScript = LuaScript.Prepare("""
        local status = redis.call('HGET', @task, 'status')
        if status == false or status == 'complete' or status == 'failed' then return 0 end
        redis.call('HSET', @task, 'status', 'failed', 'message', @message)
        local fields = redis.call('HMGET', @task, 'chunksPending', 'certificatesIssued', 'certificatesRejected')
        redis.call('XADD', @events, '*', 'status', 'failed', 'chunksPending', fields[1] or 0,
          'certificatesIssued', fields[2] or 0, 'certificatesRejected', fields[3] or 0, 'message', @message)
        local total = tonumber(redis.call('HGET', @task, 'chunksTotal')) or 0
        for i = 1, total do redis.call('DEL', @chunkPrefix .. i) end
        redis.call('DEL', @names, @csrs, @password)
        return 1
        """);

    // Counts one more attempt at a chunk and returns the count, or -1 when the task is gone. The
    // hash expires with the task.
    private static readonly LuaScript BeginAttemptScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @task) == 0 then return -1 end
        local attempt = redis.call('HINCRBY', @attempts, @chunkId, 1)
        if attempt == 1 then redis.call('EXPIRE', @attempts, @retention, 'NX') end
        return attempt
        """);

    // Deletes a task and everything stored for it, and ends its count against its credential's
    // running tasks. A chunk still in flight finds the task gone when it completes and is not stored
    // (see the EXISTS check above).
    private static readonly LuaScript DeleteScript = LuaScript.Prepare("""
        local total = tonumber(redis.call('HGET', @task, 'chunksTotal'))
        if total == nil then return 0 end
        local credential = redis.call('HGET', @task, 'credential')
        if credential then
          redis.call('ZREM', @credentialPrefix .. '{' .. credential .. '}:running', @taskId)
        end
        for i = 1, total do redis.call('DEL', @chunkPrefix .. i) end
        redis.call('DEL', @task, @done, @names, @csrs, @attempts, @events, @password)
        return 1
        """);

    private readonly IDatabase _database = redis.GetDatabase();

    /// <summary>
    /// Writes the task record and queues one entry per chunk, all in one transaction, so that a
    /// crash leaves either the whole task or nothing.
    /// </summary>
    public async Task<TaskRecord> CreateAsync(
        CertificateRequestSpec request,
        IReadOnlyList<string>? commonNameList,
        string certificateAuthority,
        string? supplierId,
        ActivityContext traceContext,
        string? taskId = null,
        string? credential = null,
        byte[]? protectedPassword = null)
    {
        var settings = options.Value;
        var plan = new ChunkPlan(request.Quantity, settings.ChunkSize);
        var record = new TaskRecord(
            taskId ?? TaskIds.New(),
            TaskStates.Pending,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            settings.ChunkSize,
            plan.ChunksTotal,
            plan.ChunksTotal,
            certificateAuthority,
            supplierId,
            request,
            Message: null,
            CertificatesIssued: 0,
            CertificatesRejected: 0)
        {
            TraceContext = traceContext,
        };

        var transaction = _database.CreateTransaction();
        var key = TaskKeys.Task(record.TaskId);
        _ = transaction.HashSetAsync(key, ToHashEntries(record));
        if (credential is not null)
        {
            // Read by the delete script, to end the task's count against the credential's cap.
            _ = transaction.HashSetAsync(key, "credential", credential);
        }

        _ = transaction.KeyExpireAsync(key, settings.Retention);
        if (commonNameList is not null)
        {
            var namesKey = TaskKeys.CommonNames(record.TaskId);
            foreach (var batch in commonNameList.Chunk(1000))
            {
                _ = transaction.ListRightPushAsync(namesKey, [.. batch.Select(name => (RedisValue)name)]);
            }

            _ = transaction.KeyExpireAsync(namesKey, settings.Retention);
        }

        if (protectedPassword is not null)
        {
            // Stored encrypted, apart from the task record, which contains the request as sent.
            var passwordKey = TaskKeys.Pkcs12Password(record.TaskId);
            _ = transaction.StringSetAsync(passwordKey, protectedPassword, settings.Retention);
        }

        if (request.SignsRequests)
        {
            // The requests were stored before, by AppendSigningRequestsAsync; they now live as long as the task.
            _ = transaction.KeyExpireAsync(TaskKeys.SigningRequests(record.TaskId), settings.Retention);
        }

        var events = TaskKeys.Events(record.TaskId);
        _ = transaction.StreamAddAsync(events, ToEventFields(record));
        _ = transaction.KeyExpireAsync(events, settings.Retention);

        ChunkQueueStream.Enqueue(transaction, record.TaskId, plan.ChunksTotal, traceContext);

        if (!await transaction.ExecuteAsync())
        {
            throw new RedisException($"The transaction that creates task {record.TaskId} was not committed.");
        }

        metrics.TaskCreated();
        return record;
    }

    public async Task<TaskRecord?> GetAsync(string taskId)
    {
        var entries = await _database.HashGetAllAsync(TaskKeys.Task(taskId));
        return entries.Length == 0 ? null : FromHashEntries(taskId, entries);
    }

    public Task MarkStartedAsync(string taskId) =>
        _database.ScriptEvaluateAsync(StartScript, new { task = TaskKeys.Task(taskId), events = TaskKeys.Events(taskId) });

    public async Task<bool> IsChunkCompleteAsync(string taskId, int chunkId) =>
        await _database.SetContainsAsync(TaskKeys.CompletedChunks(taskId), chunkId);

    /// <summary>
    /// Returns <paramref name="count"/> entries of the task's commonNameList from <paramref name="first"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetCommonNamesAsync(string taskId, long first, int count)
    {
        var values = await _database.ListRangeAsync(TaskKeys.CommonNames(taskId), first, first + count - 1);
        return [.. values.Select(value => value.ToString())];
    }

    /// <summary>
    /// Appends certification requests to a task that is not created yet. They expire after the
    /// retention unless the task is created, which keeps them as long as itself.
    /// </summary>
    public async Task AppendSigningRequestsAsync(string taskId, IReadOnlyList<SigningRequest> rows)
    {
        var key = TaskKeys.SigningRequests(taskId);
        var batch = _database.CreateBatch();
        var writes = new List<Task>();
        foreach (var slice in rows.Chunk(1000))
        {
            writes.Add(batch.ListRightPushAsync(key, [.. slice.Select(row => (RedisValue)row.ToByteArray())]));
        }

        writes.Add(batch.KeyExpireAsync(key, options.Value.Retention));
        batch.Execute();
        await Task.WhenAll(writes);
    }

    /// <summary>Deletes the certification requests stored for a task that was not created.</summary>
    public Task DeleteSigningRequestsAsync(string taskId) =>
        _database.KeyDeleteAsync(TaskKeys.SigningRequests(taskId));

    /// <summary>
    /// Returns <paramref name="count"/> of the task's certification requests from <paramref name="first"/>.
    /// </summary>
    public async Task<IReadOnlyList<SigningRequest>> GetSigningRequestsAsync(string taskId, long first, int count)
    {
        var values = await _database.ListRangeAsync(TaskKeys.SigningRequests(taskId), first, first + count - 1);
        return [.. values.Select(value => SigningRequest.Parser.ParseFrom((byte[])value!))];
    }

    /// <summary>
    /// Stores a chunk's encrypted result and counts the chunk as complete, at most once:
    /// <paramref name="count"/> certificates issued and <paramref name="rejected"/> certification
    /// requests that could not be signed.
    /// </summary>
    public async Task<ChunkCompletion> CompleteChunkAsync(
        string taskId,
        int chunkId,
        int count,
        byte[] result,
        int rejected = 0)
    {
        using var activity = ChunkDispatcher.ActivitySource.StartActivity("bulkcerts.chunk store");
        activity?.SetTag("bulkcerts.task_id", taskId);
        activity?.SetTag("bulkcerts.chunk_id", chunkId);

        var outcome = await _database.ScriptEvaluateAsync(CompleteChunkScript, new
        {
            task = TaskKeys.Task(taskId),
            done = TaskKeys.CompletedChunks(taskId),
            chunk = TaskKeys.Chunk(taskId, chunkId),
            chunkId,
            count,
            rejected,
            result,
            retention = (long)options.Value.Retention.TotalSeconds,
            chunkPrefix = TaskKeys.ChunkPrefix(taskId),
            names = TaskKeys.CommonNames(taskId),
            csrs = TaskKeys.SigningRequests(taskId),
            attempts = TaskKeys.Attempts(taskId),
            events = TaskKeys.Events(taskId),
            password = TaskKeys.Pkcs12Password(taskId),
        });

        var completion = (int)outcome switch
        {
            2 => ChunkCompletion.TaskCompleted,
            1 => ChunkCompletion.Stored,
            0 => ChunkCompletion.AlreadyStored,
            -2 => ChunkCompletion.TaskFailed,
            _ => ChunkCompletion.TaskGone,
        };
        activity?.SetTag("bulkcerts.chunk.completion", completion.ToString());
        if (completion == ChunkCompletion.TaskCompleted)
        {
            metrics.TaskCompleted();
        }

        return completion;
    }

    /// <summary>Deletes a task, its certificates and private keys; returns false when there was no such task.</summary>
    public async Task<bool> DeleteAsync(string taskId) =>
        (int)await _database.ScriptEvaluateAsync(DeleteScript, new
        {
            task = TaskKeys.Task(taskId),
            done = TaskKeys.CompletedChunks(taskId),
            names = TaskKeys.CommonNames(taskId),
            csrs = TaskKeys.SigningRequests(taskId),
            attempts = TaskKeys.Attempts(taskId),
            events = TaskKeys.Events(taskId),
            password = TaskKeys.Pkcs12Password(taskId),
            chunkPrefix = TaskKeys.ChunkPrefix(taskId),
            credentialPrefix = TaskKeys.CredentialPrefix,
            taskId,
        }) == 1;

    /// <summary>
    /// Marks a task failed with a reason, unless it already ended, and deletes the certificates it
    /// stored so far.
    /// </summary>
    public async Task<bool> FailAsync(string taskId, string message)
    {
        var failed = (int)await _database.ScriptEvaluateAsync(FailScript, new
        {
            task = TaskKeys.Task(taskId),
            events = TaskKeys.Events(taskId),
            message,
            chunkPrefix = TaskKeys.ChunkPrefix(taskId),
            names = TaskKeys.CommonNames(taskId),
            password = TaskKeys.Pkcs12Password(taskId),
            csrs = TaskKeys.SigningRequests(taskId),
        }) == 1;
        if (failed)
        {
            metrics.TaskFailed();
        }

        return failed;
    }

    /// <summary>Returns the task's status word, or null when the task is gone.</summary>
    public async Task<string?> GetStatusAsync(string taskId) =>
        await _database.HashGetAsync(TaskKeys.Task(taskId), StatusField) is { IsNull: false } status
            ? status.ToString()
            : null;

    /// <summary>
    /// Counts an attempt at a chunk and returns how many there have been, by any dispatcher, this
    /// one included; null when the task was deleted.
    /// </summary>
    public async Task<int?> BeginChunkAttemptAsync(string taskId, int chunkId)
    {
        var attempt = (int)await _database.ScriptEvaluateAsync(BeginAttemptScript, new
        {
            task = TaskKeys.Task(taskId),
            attempts = TaskKeys.Attempts(taskId),
            chunkId,
            retention = (long)options.Value.Retention.TotalSeconds,
        });
        return attempt > 0 ? attempt : null;
    }

    /// <summary>Takes back an attempt that was interrupted by a shutdown rather than a failure.</summary>
    public Task ReturnChunkAttemptAsync(string taskId, int chunkId) =>
        _database.HashDecrementAsync(TaskKeys.Attempts(taskId), chunkId);

    /// <summary>Records why the last attempt at a chunk failed, for the dispatcher that makes the final one.</summary>
    public Task RecordChunkErrorAsync(string taskId, int chunkId, string error) =>
        _database.HashSetAsync(TaskKeys.Attempts(taskId), $"{chunkId}:error", error);

    public async Task<string?> GetChunkErrorAsync(string taskId, int chunkId) =>
        await _database.HashGetAsync(TaskKeys.Attempts(taskId), $"{chunkId}:error") is { IsNull: false } error
            ? error.ToString()
            : null;

    /// <summary>
    /// Returns the first <paramref name="length"/> bytes of each chunk result in
    /// <paramref name="chunks"/>, in chunk order. An empty array is a result that is missing.
    /// </summary>
    public async Task<byte[][]> GetChunkResultPrefixesAsync(string taskId, ChunkRange chunks, int length)
    {
        var batch = _database.CreateBatch();
        var reads = Enumerable.Range(chunks.First, chunks.Count)
            .Select(chunkId => batch.StringGetRangeAsync(TaskKeys.Chunk(taskId, chunkId), 0, length - 1))
            .ToList();
        batch.Execute();
        var prefixes = await Task.WhenAll(reads);
        return [.. prefixes.Select(prefix => (byte[]?)prefix ?? [])];
    }

    /// <summary>
    /// Returns up to <paramref name="count"/> progress events of a task that follow the event
    /// <paramref name="afterId"/>, oldest first; none when the task has no newer events or is gone.
    /// </summary>
    public async Task<IReadOnlyList<TaskEvent>> ReadEventsAsync(string taskId, RedisValue afterId, int count)
    {
        var entries = await _database.StreamReadAsync(TaskKeys.Events(taskId), afterId, count);
        return [.. entries.Select(TaskEvent.Parse)];
    }

    /// <summary>Returns whether <paramref name="eventId"/> is one of the task's progress events.</summary>
    public async Task<bool> HasEventAsync(string taskId, string eventId)
    {
        if (!TaskEvent.IsEventId(eventId))
        {
            return false;
        }

        var entries = await _database.StreamRangeAsync(TaskKeys.Events(taskId), eventId, eventId, count: 1);
        return entries.Length == 1;
    }

    /// <summary>Returns the id of the task's newest progress event, or null when it has none.</summary>
    public async Task<string?> GetLastEventIdAsync(string taskId)
    {
        var newest = await _database.StreamRangeAsync(
            TaskKeys.Events(taskId), count: 1, messageOrder: Order.Descending);
        return newest.Length == 0 ? null : newest[0].Id.ToString();
    }

    /// <summary>Returns the task's encrypted PKCS#12 password, or null when it has none or it was deleted.</summary>
    public async Task<byte[]?> GetPkcs12PasswordAsync(string taskId) =>
        (byte[]?)await _database.StringGetAsync(TaskKeys.Pkcs12Password(taskId));

    public async Task<byte[]?> GetChunkResultAsync(string taskId, int chunkId) =>
        (byte[]?)await _database.StringGetAsync(TaskKeys.Chunk(taskId, chunkId));

    private static NameValueEntry[] ToEventFields(TaskRecord record) =>
    [
        new(TaskEvent.StatusField, record.Status),
        new(TaskEvent.ChunksPendingField, record.ChunksPending),
        new(TaskEvent.CertificatesIssuedField, record.CertificatesIssued),
        new(TaskEvent.CertificatesRejectedField, record.CertificatesRejected),
    ];

    private static HashEntry[] ToHashEntries(TaskRecord record)
    {
        var (traceParent, traceState) = W3CTraceContext.Format(record.TraceContext);
        return
        [
            new(StatusField, record.Status),
            new("batchDate", record.BatchDate),
            new("chunkSize", record.ChunkSize),
            new("chunksTotal", record.ChunksTotal),
            new("chunksPending", record.ChunksPending),
            new("certificatesIssued", record.CertificatesIssued),
            new("certificatesRejected", record.CertificatesRejected),
            new("certificateAuthority", record.CertificateAuthority),
            new("supplierId", record.SupplierId ?? string.Empty),
            new("request", JsonSerializer.Serialize(record.Request, StoreJson.Options)),
            new(TraceParentField, traceParent ?? string.Empty),
            new(TraceStateField, traceState ?? string.Empty),
        ];
    }

    private static TaskRecord FromHashEntries(string taskId, HashEntry[] entries)
    {
        var fields = entries.ToDictionary(entry => entry.Name.ToString(), entry => entry.Value);
        var supplierId = fields["supplierId"].ToString();
        var chunkSize = (int)fields["chunkSize"];
        var chunksTotal = (int)fields["chunksTotal"];
        var chunksPending = (int)fields["chunksPending"];
        var request = JsonSerializer.Deserialize<CertificateRequestSpec>(fields["request"].ToString(), StoreJson.Options)!;

        // Tasks stored before the count existed: every chunk but the last is full.
        var issued = fields.TryGetValue("certificatesIssued", out var counted)
            ? (long)counted
            : Math.Min(request.Quantity, (long)(chunksTotal - chunksPending) * chunkSize);

        return new TaskRecord(
            taskId,
            fields[StatusField].ToString(),
            (long)fields["batchDate"],
            chunkSize,
            chunksTotal,
            chunksPending,
            fields["certificateAuthority"].ToString(),
            supplierId.Length == 0 ? null : supplierId,
            request,
            fields.TryGetValue(MessageField, out var message) ? message.ToString() : null,
            issued,
            fields.TryGetValue("certificatesRejected", out var rejected) ? (long)rejected : 0)
        {
            // Tasks created before the trace context was stored have neither field.
            TraceContext = W3CTraceContext.Parse(
                fields.GetValueOrDefault(TraceParentField),
                fields.GetValueOrDefault(TraceStateField)),
        };
    }
}

public enum ChunkCompletion
{
    Stored,

    /// <summary>Stored as the task's last chunk, so the task is complete.</summary>
    TaskCompleted,
    AlreadyStored,
    TaskFailed,
    TaskGone,
}
