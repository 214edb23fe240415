using BulkCerts.Api.Certificates;
using BulkCerts.Api.Documentation;
using BulkCerts.Api.Http;
using BulkCerts.Api.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// The download of one chunk's zip through a signed URL. The endpoint takes no credentials, since
/// the signature is the credential; the rate limiter still limits its callers per client address.
/// </summary>
public static class ChunkDownloadEndpoints
{
    public static IEndpointRouteBuilder MapChunkDownloadEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/certificates/{taskId}/chunks/{chunkId}", DownloadChunk)
            .WithName("DownloadChunk")
            .AllowAnonymous()
            .WithTags("Certificates")
            .WithSummary("Download one chunk's certificates and keys through a signed URL")
            .WithDescription("The URLs come from GET /certificates/{taskId}?downloadType=signedUrl. The signature " +
                "is the credential: the request needs no API key or token.")
            .WithQueryParameter(ChunkUrlSigner.ExpiresParameter, "When the URL expires, in Unix seconds.")
            .WithQueryParameter(ChunkUrlSigner.SignatureParameter, "The URL's signature.")
            .ProducesContent(StatusCodes.Status200OK, typeof(Stream), "The zip of the chunk's certificates, in the " +
                "task's outputFormat; for a task with a recipientCertificate encrypted to it as CMS EnvelopedData, " +
                "`{taskId}-chunk-{chunkId}.p7m` (application/pkcs7-mime; smime-type=enveloped-data).",
                MediaTypes.Zip, MediaTypes.Pkcs7Mime)
            .ProducesError(StatusCodes.Status403Forbidden, "The URL is unsigned, altered or expired; request new URLs.")
            .ProducesError(StatusCodes.Status404NotFound, "The task no longer exists.")
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes application/zip (or, " +
                "for an encrypted download, application/pkcs7-mime).")
            .ProducesError(StatusCodes.Status409Conflict, "The task failed.")
            .ProducesError(StatusCodes.Status410Gone, "The chunk's certificates have expired or were deleted.")
            .ProducesError(StatusCodes.Status429TooManyRequests, "Too many requests without credentials from this " +
                "client address; retry after the Retry-After seconds.")
            .ProducesError(StatusCodes.Status503ServiceUnavailable, "Redis is unreachable, or the certificates were " +
                "encrypted under a key the Api no longer has.");
        return routes;
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> DownloadChunk(
        string taskId,
        string chunkId,
        HttpContext context,
        TaskStore tasks,
        ZipDownload download,
        ChunkUrlSigner signer,
        ILogger<ChunkUrlSigner> logger)
    {
        // The signature is checked before anything else, so that no other response reveals to an
        // anonymous caller whether a task exists.
        var query = context.Request.Query;
        var check = signer.Verify(
            taskId, chunkId, query[ChunkUrlSigner.ExpiresParameter], query[ChunkUrlSigner.SignatureParameter]);
        if (check.Status != SignedUrlStatus.Valid)
        {
            logger.SignedUrlRejected(
                MessageText.Shorten(taskId), MessageText.Shorten(chunkId), check.Status,
                context.Connection.RemoteIpAddress?.ToString());
            return ApiResults.Problem(StatusCodes.Status403Forbidden, Describe(check, taskId));
        }

        var accept = context.Request.Headers.Accept;
        if (!MediaTypes.AcceptsEncryptedZip(accept))
        {
            return ApiResults.NotAcceptable(accept, $"{MediaTypes.Zip} or {MediaTypes.Pkcs7Mime}");
        }

        // A valid signature vouches for the form of both ids.
        var chunk = ChunkRange.Single(int.Parse(chunkId, System.Globalization.CultureInfo.InvariantCulture));
        if (await tasks.GetAsync(taskId) is not { } task)
        {
            return CertificateEndpoints.TaskNotFound(taskId);
        }

        if (task.Request.RecipientCertificate is null && !MediaTypes.AcceptsZip(accept))
        {
            return ApiResults.NotAcceptable(accept, MediaTypes.Zip);
        }

        if (task.Status == TaskStates.Failed)
        {
            return DownloadProblems.Failed(task);
        }

        if (chunk.Last > task.ChunksTotal)
        {
            return ApiResults.NotFound($"Task {taskId} has {task.ChunksTotal} chunks, so chunk {chunkId} does " +
                "not exist. " + RenewAdvice(taskId));
        }

        var subject = $"The certificates of chunk {chunkId} of task {taskId}";
        if (DownloadProblems.ForReadiness(await download.CheckAsync(task, chunk), subject) is { } problem)
        {
            return problem;
        }

        // The URL is a credential for the keys in the zip, so no cache may keep the response.
        context.Response.Headers.CacheControl = "no-store";
        var (contentType, fileName) = ZipDownload.DescribeFile(task, $"{taskId}-chunk-{chunkId}");
        return TypedResults.Stream(
            stream => download.WriteAsync(task, chunk, stream, context.RequestAborted),
            contentType,
            fileName);
    }

    private static string Describe(SignedUrlCheck check, string taskId) => check.Status switch
    {
        SignedUrlStatus.Missing =>
            $"The download URL lacks its {check.MissingParameter} parameter, so it is not a signed URL. " +
            RenewAdvice(taskId),
        SignedUrlStatus.Expired =>
            $"The download URL expired at {check.ExpiredAt:u}. " + RenewAdvice(taskId),
        _ =>
            "The signature of the download URL does not match its task id, chunk id and expiry, so the URL was " +
            "altered or signed with a key this service no longer uses. " + RenewAdvice(taskId),
    };

    private static string RenewAdvice(string taskId)
    {
        var path = TaskIds.IsValid(taskId) ? $"/certificates/{taskId}" : "/certificates/{taskId}";
        return $"Request new URLs with GET {path}?{DownloadTypes.ParameterName}={DownloadTypes.SignedUrlValue} " +
            "and use them unchanged.";
    }
}
