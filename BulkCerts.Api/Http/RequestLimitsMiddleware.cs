using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Http;

/// <summary>
/// Rejects requests over the Api's header and body limits with a problem document, before any
/// endpoint runs, and sets the body limit that Kestrel enforces while the body is read.
/// </summary>
/// <remarks>
/// The header limits are below Kestrel's own (<see cref="KestrelMaxHeaderBytes"/> and
/// <see cref="KestrelMaxHeaderCount"/>), so that most oversized header blocks reach this middleware
/// and get a message instead of Kestrel's empty response.
/// </remarks>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IOptions<BulkCertsOptions> options)
{
    /// <summary>Largest header block, in bytes: every name and value, with ": " and CRLF for each line.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Maximum number of header lines in one request.</summary>
    public const int MaxHeaderCount = 64;

    /// <summary>Kestrel's limit on the header block, which rejects larger requests before any middleware.</summary>
    public const int KestrelMaxHeaderBytes = 32 * 1024;

    /// <summary>Kestrel's limit on header lines, which rejects larger requests before any middleware.</summary>
    public const int KestrelMaxHeaderCount = 100;

    /// <summary>Advice for a client whose body is over the limit.</summary>
    public const string SmallerBodyAdvice =
        "Send a smaller body, for example by splitting certInfo.commonNameList across several tasks, or send " +
        "many certification requests as application/x-ndjson, which has a larger limit.";

    /// <summary>Advice for a client whose upload of certification requests is over the limit.</summary>
    public const string SmallerUploadAdvice = "Split the certification requests across several tasks.";

    public Task InvokeAsync(HttpContext context)
    {
        var headers = MeasureHeaders(context.Request.Headers);
        if (headers.Count > MaxHeaderCount)
        {
            return RejectAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"The request has {headers.Count} header lines; the limit is {MaxHeaderCount}. " +
                "Remove headers the request does not need.");
        }

        if (headers.Bytes > MaxHeaderBytes)
        {
            return RejectAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge,
                $"The request headers have {headers.Bytes} bytes; the limit is {MaxHeaderBytes}. The largest is " +
                $"'{MessageText.Shorten(headers.LargestName)}' with {headers.LargestBytes} bytes; remove or shorten " +
                "headers such as cookies.");
        }

        // An upload of certification requests is read line by line, never held whole, so it has a limit of its own.
        var upload = IsSigningRequestUpload(context.Request);
        var maxBodyBytes = upload ? options.Value.MaxCsrUploadBytes : options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > maxBodyBytes)
        {
            // Closing the connection spares reading a body that will be rejected anyway.
            context.Response.Headers.Connection = "close";
            var setting = upload ? "MaxCsrUploadBytes" : "MaxRequestBodyBytes";
            return RejectAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body has {context.Request.ContentLength} bytes (Content-Length); the limit is " +
                $"{maxBodyBytes} ({BulkCertsOptions.SectionName}:{setting}). " +
                (upload ? SmallerUploadAdvice : SmallerBodyAdvice));
        }

        // Read-only once the body has been read, or for upgraded requests, which have no body limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxBodyBytes;
        }

        return next(context);
    }

    /// <summary>
    /// Returns whether the request is a POST of application/x-ndjson to one of the create-task paths,
    /// <c>/certificates</c> or <c>/supplier/{supplierId}/certificates</c>.
    /// </summary>
    public static bool IsSigningRequestUpload(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !MediaTypes.IsNdjsonContent(request.ContentType))
        {
            return false;
        }

        var path = request.Path.Value?.TrimEnd('/') ?? string.Empty;
        var segments = path.Split('/');
        return path.Equals("/certificates", StringComparison.OrdinalIgnoreCase)
            || (segments is ["", var supplier, _, var certificates]
                && supplier.Equals("supplier", StringComparison.OrdinalIgnoreCase)
                && certificates.Equals("certificates", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Measures a header block as Kestrel does: each value is one line of name, ": ", value and CRLF.
    /// It counts characters, which equal bytes for ASCII headers.
    /// </summary>
    public static HeaderSize MeasureHeaders(IHeaderDictionary headers)
    {
        var count = 0;
        var bytes = 0L;
        var largestName = string.Empty;
        var largestBytes = 0L;
        foreach (var (name, values) in headers)
        {
            var headerBytes = 0L;
            foreach (var value in values)
            {
                headerBytes += name.Length + 2 + (value?.Length ?? 0) + 2;
                count++;
            }

            bytes += headerBytes;
            if (headerBytes > largestBytes)
            {
                largestName = name;
                largestBytes = headerBytes;
            }
        }

        return new HeaderSize(count, bytes, largestName, largestBytes);
    }

    private static Task RejectAsync(HttpContext context, int statusCode, string message) =>
        ApiResults.Problem(statusCode, message).ExecuteAsync(context);
}

/// <summary>The header lines of a request, their total size, and the header with the most bytes.</summary>
internal readonly record struct HeaderSize(int Count, long Bytes, string LargestName, long LargestBytes);
