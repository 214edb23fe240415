using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace BulkCerts.Api.Http;

/// <summary>
/// A 303 See Other response. The framework's redirect results produce 302, 301, 307 or 308 only,
/// and 303 is the status that directs every client to follow with a GET.
/// </summary>
public sealed class SeeOtherHttpResult(string location) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public string Location { get; } = location;

    public int StatusCode => StatusCodes.Status303SeeOther;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status303SeeOther));
}
