using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Security;

/// <summary>
/// Limits requests per credential with a token bucket: a burst, then a steady rate. Requests
/// without valid credentials, such as signed URL downloads, share a bucket per client address.
/// Endpoints marked with DisableRateLimiting, the health checks, are not limited.
/// </summary>
internal static class CredentialRateLimiter
{
    public static void Configure(RateLimiterOptions options, RateLimitOptions limits, ApiKeyStore keys)
    {
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var partition = context.User.Identity?.IsAuthenticated == true
                ? context.GetCredential().Name
                : $"address:{context.Connection.RemoteIpAddress}";
            return RateLimitPartition.GetTokenBucketLimiter(
                partition, name => CreateBucket(RequestsPerMinute(name, limits, keys).Value, limits.Burst));
        });

        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay)
                ? Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds))
                : 1;
            context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString();

            var http = context.HttpContext;
            var caller = http.User.Identity?.IsAuthenticated == true
                ? $"Credential '{http.GetCredential().Name}'"
                : $"Address {http.Connection.RemoteIpAddress}";
            var (perMinute, setting) = RequestsPerMinute(http.GetCredential().Name, limits, keys);
            await AuthProblems.WriteAsync(
                http,
                StatusCodes.Status429TooManyRequests,
                $"{caller} sent more than {perMinute} requests per minute, the limit ({setting}); retry after " +
                (retryAfter == 1 ? "1 second." : $"{retryAfter} seconds."));
        };
    }

    private static (int Value, string Setting) RequestsPerMinute(
        string credential,
        RateLimitOptions limits,
        ApiKeyStore keys) =>
        keys.GetLimit(credential, key => key.RequestsPerMinute, limits.RequestsPerMinute, "RequestsPerMinute");

    /// <summary>
    /// Returns a bucket that refills one token per slice of the minute up to 600 requests a minute.
    /// Faster buckets refill a tenth of a second's worth every tenth of a second.
    /// </summary>
    private static TokenBucketRateLimiterOptions CreateBucket(int perMinute, int burst) => new()
    {
        TokenLimit = Math.Min(burst, perMinute),
        TokensPerPeriod = perMinute <= 600 ? 1 : perMinute / 600,
        ReplenishmentPeriod = perMinute <= 600 ? TimeSpan.FromMinutes(1) / perMinute : TimeSpan.FromMilliseconds(100),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
