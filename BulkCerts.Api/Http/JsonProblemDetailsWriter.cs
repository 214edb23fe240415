using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Http;

/// <summary>
/// Writes a problem document as JSON whatever the Accept header lists. The framework's writer
/// declines when Accept excludes JSON, and the status-code pages then send plain text, so this
/// writer, registered after it, takes the requests it declines.
/// </summary>
internal sealed class JsonProblemDetailsWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);

        // Null selects the app's JSON options, such as camelCase names.
        JsonSerializerOptions? serializerOptions = null;
        return new ValueTask(response.WriteAsJsonAsync(problem, typeof(ProblemDetails), serializerOptions, ContentType));
    }
}
