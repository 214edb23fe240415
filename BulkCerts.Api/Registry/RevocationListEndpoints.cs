using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BulkCerts.Api.Authorities;
using BulkCerts.Api.Documentation;
using BulkCerts.Api.Http;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Registry;

/// <summary>
/// Serves each CA's certificate revocation list. Lists are public documents that relying parties
/// fetch, so the endpoint takes no credentials; the rate limiter still limits its callers per
/// client address.
/// </summary>
public static class RevocationListEndpoints
{
    public const string CrlMediaType = "application/pkix-crl";

    private const string EngineUnavailableDescription =
        "Redis or the CertEngine is unavailable, or another Api process is still signing the list; retry.";

    public static IEndpointRouteBuilder MapRevocationListEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/certificateauthorities/{alias}/crl", GetRevocationList)
            .WithName("GetCertificateRevocationList")
            .AllowAnonymous()
            .WithTags("Certificate authorities")
            .WithSummary("Download a CA's certificate revocation list")
            .WithDescription("An X.509 v2 CRL signed by the CA, listing each registered certificate it signed that " +
                "was revoked and has not expired, with its revocation date and reason. DER by default; PEM when " +
                "the Accept header asks for application/x-pem-file. A new list, with a higher cRLNumber, is signed " +
                "after each revocation and once half of BulkCerts:Registry:CrlValidity has passed. Needs no " +
                "credentials.")
            .WithRequestHeader("If-None-Match", "The ETag of a list the client has; 304 while it is current.")
            .ProducesContent(StatusCodes.Status200OK, typeof(Stream), "The revocation list.",
                CrlMediaType, CertificateAuthorityEndpoints.PemMediaType)
            .WithResponseHeader(StatusCodes.Status200OK, "ETag", "Changes with each new list.")
            .WithResponseHeader(StatusCodes.Status200OK, "Last-Modified", "The list's thisUpdate.")
            .WithResponseHeader(StatusCodes.Status200OK, "Cache-Control",
                "public, with max-age up to the list's nextUpdate.")
            .ProducesNoContent(StatusCodes.Status304NotModified, "The list named by If-None-Match is current.")
            .ProducesError(StatusCodes.Status400BadRequest,
                "The alias is not valid; " + CertificateAuthorityAliases.Rule)
            .ProducesError(StatusCodes.Status404NotFound, "No CA with this alias is configured.")
            .ProducesError(StatusCodes.Status406NotAcceptable,
                "The Accept header excludes application/pkix-crl and application/x-pem-file.")
            .ProducesError(StatusCodes.Status429TooManyRequests, "Too many requests without credentials from this " +
                "client address; retry after the Retry-After seconds.")
            .ProducesError(StatusCodes.Status503ServiceUnavailable, EngineUnavailableDescription)
            .WithResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait.",
                JsonSchemaType.Integer);
        return routes;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>>
        GetRevocationList(
            string alias,
            HttpContext context,
            RevocationLists lists,
            CertificateAuthorityCatalog catalog,
            TimeProvider clock)
    {
        if (!CertificateAuthorityAliases.IsValid(alias))
        {
            return ApiResults.BadRequest(
                $"Certificate authority alias '{MessageText.Shorten(alias)}' is not valid; " +
                $"{CertificateAuthorityAliases.Rule} GET /certificateauthorities lists the configured ones.");
        }

        var accept = context.Request.Headers.Accept.ToString();
        if (MediaTypes.SelectAmong(accept, CrlMediaType, CertificateAuthorityEndpoints.PemMediaType) is not { } type)
        {
            return ApiResults.NotAcceptable(accept, $"{CrlMediaType} or {CertificateAuthorityEndpoints.PemMediaType}");
        }

        // The catalog is cached, so an unknown alias costs no call to the CertEngine.
        var authorities = await catalog.GetAsync(context.RequestAborted);
        if (authorities is not null && !authorities.ContainsKey(alias))
        {
            return NotConfigured(alias);
        }

        SignedList list;
        try
        {
            list = await lists.GetAsync(alias, context.RequestAborted);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
        {
            return NotConfigured(alias);
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
        {
            return Unavailable(context, "The CertEngine could not sign the revocation list of certificate authority " +
                $"'{alias}' ({Describe(exception)}); retry in a few seconds.");
        }
        catch (RevocationListUnavailableException exception)
        {
            return Unavailable(context, exception.Message);
        }

        // Each representation has its own tag, so a shared cache never serves DER to a PEM request.
        var pem = type == CertificateAuthorityEndpoints.PemMediaType;
        var entityTag = pem ? $"\"crl-{list.Number}-pem\"" : list.ETag;
        var headers = context.Response.Headers;
        var maxAge = Math.Max(0, (long)(list.NextUpdate - clock.GetUtcNow()).TotalSeconds);
        headers.ETag = entityTag;
        headers.LastModified = list.ThisUpdate.ToString("R", CultureInfo.InvariantCulture);
        headers.CacheControl = $"public, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
        headers.Vary = HeaderNames.Accept;
        if (IsCurrent(context.Request, entityTag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var body = pem
            ? Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", list.Der) + "\n")
            : list.Der;
        var asciiAlias = new string([.. alias.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'
            ? c : '_')]);
        return TypedResults.File(body, type, $"{asciiAlias}.{(pem ? "pem" : "crl")}");
    }

    /// <summary>Returns whether If-None-Match names the tag of the list served, or is <c>*</c>.</summary>
    private static bool IsCurrent(HttpRequest request, string entityTag)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count == 0)
        {
            return false;
        }

        return EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(entityTag));
    }

    private static string Describe(RpcException exception) => exception.Status.Detail.Length > 0
        ? $"{exception.StatusCode}: {exception.Status.Detail}"
        : exception.StatusCode == StatusCode.DeadlineExceeded
            ? "it did not answer in time"
            : exception.StatusCode.ToString();

    private static ProblemHttpResult NotConfigured(string alias) => ApiResults.NotFound(
        $"Certificate authority '{MessageText.Shorten(alias)}' is not configured; GET /certificateauthorities " +
        "lists the configured ones.");

    private static ProblemHttpResult Unavailable(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = "5";
        return ApiResults.Problem(StatusCodes.Status503ServiceUnavailable, message);
    }
}
