using BulkCerts.Api.Security;
using BulkCerts.Api.Tasks;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// Builds the absolute signed URLs of a complete task's chunks, from the configured base URL or
/// the address of the request.
/// </summary>
public sealed class ChunkUrlIssuer(
    ChunkUrlSigner signer,
    IOptions<SignedUrlOptions> options,
    ILogger<ChunkUrlIssuer> logger)
{
    /// <summary>
    /// Returns one URL per chunk, in chunk order, or null when the request has no Host header and no
    /// base URL is configured, so no absolute URL can be built.
    /// </summary>
    public string[]? Issue(TaskRecord task, HttpContext context)
    {
        if (BaseUrlFor(context.Request) is not { } baseUrl)
        {
            return null;
        }

        var (paths, expires) = signer.Sign(task.TaskId, ChunkRange.Whole(task));
        logger.SignedUrlsIssued(task.TaskId, paths.Count, context.GetCredential().Name, expires);
        return [.. paths.Select(path => baseUrl + path)];
    }

    /// <summary>
    /// Returns the configured base URL, or else the scheme, Host header and path base of the request.
    /// The Host header comes from the client. A proxy or cache that passes a forged one through could
    /// therefore hand out URLs to another host, which a configured base URL prevents.
    /// </summary>
    private string? BaseUrlFor(HttpRequest request)
    {
        if (options.Value.BaseUrl is { } configured && !string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim().TrimEnd('/');
        }

        return request.Host.HasValue
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}"
            : null;
    }
}
