using BulkCerts.Api.Tasks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BulkCerts.Api.Security;

/// <summary>
/// Caps the tasks one credential has pending or in progress at once, across Api replicas. Each
/// credential has a Redis sorted set of its running task ids, scored by reservation time. Every
/// reservation first drops the tasks that ended, failed, or were deleted or expired.
/// </summary>
public sealed class RunningTaskLimit(
    IConnectionMultiplexer redis,
    IOptions<RateLimitOptions> limits,
    ApiKeyStore keys,
    IOptions<BulkCertsOptions> options,
    TimeProvider clock)
{
    /// <summary>
    /// How long a reservation counts before its task record exists. The record is written right after
    /// the reservation, so a reservation older than this belongs to a request that failed.
    /// </summary>
    private static readonly TimeSpan RecordGracePeriod = TimeSpan.FromMinutes(1);

    // Returns 1 when the task was added, or minus the number of running tasks when the cap is reached.
    private static readonly LuaScript ReserveScript = LuaScript.Prepare("""
        local members = redis.call('ZRANGE', @running, 0, -1, 'WITHSCORES')
        local count = 0
        for i = 1, #members, 2 do
          local id = members[i]
          local status = redis.call('HGET', @taskPrefix .. '{' .. id .. '}', 'status')
          local reserving = status == false and tonumber(members[i + 1]) > tonumber(@reservedSince)
          if status == 'pending' or status == 'in_progress' or reserving then
            count = count + 1
          else
            redis.call('ZREM', @running, id)
          end
        end
        if count >= tonumber(@max) then return -count end
        redis.call('ZADD', @running, @now, @taskId)
        redis.call('EXPIRE', @running, @retention)
        return 1
        """);

    private readonly IDatabase _database = redis.GetDatabase();

    /// <summary>Returns the credential's cap and the name of the setting it comes from.</summary>
    public (int Value, string Setting) MaxFor(Credential credential) =>
        keys.GetLimit(credential.Name, key => key.MaxRunningTasks, limits.Value.MaxRunningTasks, "MaxRunningTasks");

    /// <summary>
    /// Counts the task as running for the credential, or returns the number of tasks it already
    /// runs when that is the cap.
    /// </summary>
    public async Task<int?> TryReserveAsync(Credential credential, string taskId)
    {
        var result = (long)await _database.ScriptEvaluateAsync(ReserveScript, new
        {
            running = TaskKeys.RunningTasks(credential.Name),
            taskPrefix = TaskKeys.TaskPrefix,
            taskId,
            max = MaxFor(credential).Value,
            now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            reservedSince = (clock.GetUtcNow() - RecordGracePeriod).ToUnixTimeMilliseconds(),
            retention = (long)options.Value.Retention.TotalSeconds,
        });
        return result == 1 ? null : (int)-result;
    }

    public Task ReleaseAsync(Credential credential, string taskId) =>
        _database.SortedSetRemoveAsync(TaskKeys.RunningTasks(credential.Name), taskId);
}
