using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace BulkCerts.Api.Http;

/// <summary>
/// Writes a 503 response with Retry-After when Redis cannot be reached, because the request may succeed
/// once Redis is back. Other exceptions fall through to the generic 500 problem document.
/// </summary>
internal sealed partial class StorageUnavailableHandler(
    IProblemDetailsService problemDetails,
    ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(
        HttpContext httpContext,
        Exception exception,
        CancellationToken cancellationToken)
    {
        if (exception is not (RedisConnectionException or RedisTimeoutException))
        {
            return false;
        }

        LogStorageUnavailable(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        var message = $"Task storage is unavailable, so {httpContext.Request.Method} {httpContext.Request.Path} " +
            $"was not carried out; retry in {RetryAfterSeconds} seconds.";

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service Unavailable",
                Detail = message,
            },
        });
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Redis is unavailable for {Method} {Path}")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string method, string path);
}
