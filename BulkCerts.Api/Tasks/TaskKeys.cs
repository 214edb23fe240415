using StackExchange.Redis;

namespace BulkCerts.Api.Tasks;

/// <summary>
/// Redis key names. The task id sits in braces, a Redis Cluster hash tag, so that all keys of
/// one task share a slot and a script may touch them together.
/// </summary>
public static class TaskKeys
{
    /// <summary>The prefix of <see cref="Task"/>, for scripts that build task keys from ids.</summary>
    public const string TaskPrefix = "bulkcerts:task:";

    public static RedisKey Task(string taskId) => $"{TaskPrefix}{{{taskId}}}";

    /// <summary>Set of the ids of chunks whose certificates are stored.</summary>
    public static RedisKey CompletedChunks(string taskId) => $"bulkcerts:task:{{{taskId}}}:done";

    /// <summary>List of the task's commonNameList entries, kept apart from the task record.</summary>
    public static RedisKey CommonNames(string taskId) => $"bulkcerts:task:{{{taskId}}}:names";

    /// <summary>
    /// List of the task's certification requests, each a serialized <c>SigningRequest</c>, kept apart
    /// from the task record like the commonNameList.
    /// </summary>
    public static RedisKey SigningRequests(string taskId) => $"bulkcerts:task:{{{taskId}}}:csrs";

    /// <summary>
    /// Hash of attempts per chunk, counted across dispatchers, and the last error of each chunk
    /// (field <c>{chunkId}:error</c>).
    /// </summary>
    public static RedisKey Attempts(string taskId) => $"bulkcerts:task:{{{taskId}}}:attempts";

    /// <summary>
    /// Stream of the task's progress events, one per change of status or completed chunk, for watchers.
    /// </summary>
    public static RedisKey Events(string taskId) => $"bulkcerts:task:{{{taskId}}}:events";

    /// <summary>
    /// The task's PKCS#12 password, encrypted by the result protector; deleted when the task ends.
    /// </summary>
    public static RedisKey Pkcs12Password(string taskId) => $"bulkcerts:task:{{{taskId}}}:pkcs12-password";

    public static RedisKey Chunk(string taskId, int chunkId) => $"{ChunkPrefix(taskId)}{chunkId}";

    public static string ChunkPrefix(string taskId) => $"bulkcerts:task:{{{taskId}}}:chunk:";

    /// <summary>Sorted set of the ids of a credential's tasks that may still be running, by reservation time.</summary>
    public static RedisKey RunningTasks(string credential) => $"{CredentialPrefix}{{{credential}}}:running";

    /// <summary>The prefix of <see cref="RunningTasks"/>, for scripts that build it from a credential name.</summary>
    public const string CredentialPrefix = "bulkcerts:credential:";
}
