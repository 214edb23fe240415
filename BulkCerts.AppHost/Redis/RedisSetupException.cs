namespace BulkCerts.AppHost.Redis;

/// <summary>Redis cannot be set up as configured; the message states what to change or install.</summary>
public sealed class RedisSetupException(string message) : Exception(message);
