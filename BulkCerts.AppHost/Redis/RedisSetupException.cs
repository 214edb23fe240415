namespace BulkCerts.AppHost.Redis;

/// <summary>Redis cannot be set up as configured; the message says what to change or install.</summary>
public sealed class RedisSetupException(string message) : Exception(message);
