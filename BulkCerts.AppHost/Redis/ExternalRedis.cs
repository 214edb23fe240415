using StackExchange.Redis;

namespace BulkCerts.AppHost.Redis;

/// <summary>Checks the connection string of an existing Redis before the AppHost hands it to the Api.</summary>
public static class ExternalRedis
{
    /// <summary>
    /// Parses <paramref name="connectionString"/> with the parser the Api's Redis client uses and
    /// returns it without its password, for the console.
    /// </summary>
    /// <exception cref="RedisSetupException">The string is not one the Api could connect with.</exception>
    public static string Describe(string setting, string connectionString)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException exception)
        {
            // The message names the keyword at fault but never the password's value.
            var reason = exception.Message.Replace($" (Parameter '{exception.ParamName}')", string.Empty);
            throw new RedisSetupException($"{setting} is not a valid Redis connection string: {reason} " +
                $"Write it as host:port followed by options, such as {Example}.");
        }

        if (options.EndPoints.Count == 0)
        {
            throw new RedisSetupException(
                $"{setting} '{options.ToString(includePassword: false)}' names no server; start it with " +
                $"host:port, such as {Example}.");
        }

        return options.ToString(includePassword: false);
    }

    private const string Example = "redis.internal:6379,password=...,ssl=true";
}
