using BulkCerts.Api.Http;
using BulkCerts.Api.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BulkCerts.Api.Downloads;

/// <summary>Error responses shared by the download of a whole task and of one chunk.</summary>
internal static class DownloadProblems
{
    public static ProblemHttpResult Failed(TaskRecord task) => ApiResults.Problem(
        StatusCodes.Status409Conflict,
        $"Task {task.TaskId} failed, so it has no certificates to download: {task.Message}");

    /// <summary>
    /// Returns the problem for chunk results that cannot be served, or null when they are ready.
    /// <paramref name="subject"/> names what is downloaded, such as "The certificates of task ...".
    /// </summary>
    public static ProblemHttpResult? ForReadiness(DownloadReadiness readiness, string subject) => readiness switch
    {
        DownloadReadiness.Expired => ApiResults.Problem(
            StatusCodes.Status410Gone,
            $"{subject} have expired or were deleted; create a new task."),
        DownloadReadiness.KeyMissing => ApiResults.Problem(
            StatusCodes.Status503ServiceUnavailable,
            $"{subject} were encrypted under a key this service no longer has; ask the operator to add it to " +
            $"{BulkCertsOptions.SectionName}:PreviousResultEncryptionKeys."),
        _ => null,
    };
}
