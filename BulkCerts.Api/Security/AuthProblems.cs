namespace BulkCerts.Api.Security;

/// <summary>Writes 401, 403 and 429 responses as problem documents with a <c>message</c>.</summary>
internal static class AuthProblems
{
    public static async Task WriteAsync(HttpContext context, int statusCode, string message, string? challenge = null)
    {
        context.Response.StatusCode = statusCode;
        if (challenge is not null)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = statusCode, Detail = message },
        });
    }
}
