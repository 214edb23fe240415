using Microsoft.AspNetCore.Http.HttpResults;

namespace BulkCerts.Api.Http;

/// <summary>
/// Error responses: problem documents (RFC 9457) that also carry <c>message</c>, the field that
/// clients of the original service read.
/// </summary>
public static class ApiResults
{
    public static ProblemHttpResult Problem(int statusCode, string message) => TypedResults.Problem(
        statusCode: statusCode,
        detail: message,
        extensions: new Dictionary<string, object?> { ["message"] = message });

    public static ProblemHttpResult BadRequest(string message) => Problem(StatusCodes.Status400BadRequest, message);

    public static ProblemHttpResult NotFound(string message) => Problem(StatusCodes.Status404NotFound, message);

    /// <summary>Rejects an Accept header that excludes every type the endpoint returns.</summary>
    public static ProblemHttpResult NotAcceptable(string? accept, string offered) => Problem(
        StatusCodes.Status406NotAcceptable,
        $"Accept '{MessageText.Shorten(accept ?? string.Empty)}' excludes every type this endpoint returns; " +
        $"accept {offered}.");
}
