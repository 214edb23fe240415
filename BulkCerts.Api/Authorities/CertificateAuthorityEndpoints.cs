using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Documentation;
using BulkCerts.Api.Http;
using BulkCerts.Api.Security;
using BulkCerts.CertEngine.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BulkCerts.Api.Authorities;

/// <summary>
/// Lists the certificate authorities and serves their chains, so that users can build trust stores.
/// </summary>
public static class CertificateAuthorityEndpoints
{
    public const string PemMediaType = "application/x-pem-file";

    private const string EngineUnavailableDescription = "The CertEngine is unavailable; retry in a few seconds.";

    public static IEndpointRouteBuilder MapCertificateAuthorityEndpoints(this IEndpointRouteBuilder routes)
    {
        var authorities = routes.MapGroup(string.Empty).WithTags("Certificate authorities");

        authorities.MapGet("/certificateauthorities", ListAuthorities)
            .WithName("ListCertificateAuthorities")
            .WithSummary("List the certificate authorities")
            .WithDescription("Each CA's alias, subject, key algorithm, validity and the suppliers it signs for; a " +
                "credential limited to suppliers sees only its own.")
            .ProducesJson<List<CertificateAuthorityResponse>>(StatusCodes.Status200OK, "The configured CAs.")
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes both JSON media types.")
            .ProducesError(StatusCodes.Status503ServiceUnavailable, EngineUnavailableDescription);

        authorities.MapGet("/certificateauthorities/{alias}", GetAuthorityChain)
            .WithName("GetCertificateAuthorityChain")
            .WithSummary("Download a CA's certificate chain")
            .WithDescription("The CA certificate and its intermediates as PEM, for trust stores.")
            .ProducesContent(StatusCodes.Status200OK, typeof(string), "The chain as PEM.", PemMediaType)
            .ProducesError(StatusCodes.Status400BadRequest,
                "The alias is not valid; " + CertificateAuthorityAliases.Rule)
            .ProducesError(StatusCodes.Status404NotFound, "No CA with this alias is configured.")
            .ProducesError(StatusCodes.Status503ServiceUnavailable, EngineUnavailableDescription);

        return routes;
    }

    public static async Task<Results<JsonHttpResult<List<CertificateAuthorityResponse>>, ProblemHttpResult>>
        ListAuthorities(HttpRequest request, CertificateAuthorityCatalog catalog, IOptions<BulkCertsOptions> options)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return ApiResults.NotAcceptable(request.Headers.Accept, MediaTypes.Json);
        }

        var authorities = await catalog.GetAsync(request.HttpContext.RequestAborted);
        if (authorities is null)
        {
            return EngineUnavailable();
        }

        // A credential limited to suppliers sees only those among each CA's suppliers.
        var credential = request.HttpContext.GetCredential();
        var suppliers = options.Value.Suppliers.Where(supplier => credential.MayUse(supplier.Key)).ToList();
        var body = authorities.Values
            .OrderBy(authority => authority.Alias, StringComparer.OrdinalIgnoreCase)
            .Select(authority => new CertificateAuthorityResponse(
                authority.Alias,
                authority.Subject,
                authority.KeyAlgorithm,
                authority.NotBefore.ToDateTimeOffset(),
                authority.NotAfter.ToDateTimeOffset(),
                [.. suppliers
                    .Where(supplier => supplier.Value.Equals(authority.Alias, StringComparison.OrdinalIgnoreCase))
                    .Select(supplier => supplier.Key)
                    .Order(StringComparer.OrdinalIgnoreCase)]))
            .ToList();
        return TypedResults.Json(body, Tasks.StoreJson.Options, responseType);
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetAuthorityChain(
        string alias,
        HttpRequest request,
        CertEngines engines)
    {
        if (!CertificateAuthorityAliases.IsValid(alias))
        {
            return ApiResults.BadRequest(
                $"Certificate authority alias '{MessageText.Shorten(alias)}' is not valid; " +
                $"{CertificateAuthorityAliases.Rule} GET /certificateauthorities lists the configured ones.");
        }

        try
        {
            var response = await engines.PickClient().GetCertificateAuthorityAsync(
                new GetCertificateAuthorityRequest { Alias = alias },
                deadline: DateTime.UtcNow.AddSeconds(5),
                cancellationToken: request.HttpContext.RequestAborted);
            // FileNameStar encodes any alias; FileName keeps an ASCII fallback for old clients.
            var configuredAlias = response.Authority.Alias;
            var asciiAlias = configuredAlias.Select(c =>
                char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
            var disposition = new ContentDispositionHeaderValue("inline")
            {
                FileName = new string([.. asciiAlias]) + ".pem",
                FileNameStar = configuredAlias + ".pem",
            };
            request.HttpContext.Response.Headers.ContentDisposition = disposition.ToString();
            return TypedResults.Text(response.CertificateChainPem, PemMediaType);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
        {
            return ApiResults.NotFound($"Certificate authority '{MessageText.Shorten(alias)}' is not configured; " +
                "GET /certificateauthorities lists the configured ones.");
        }
        catch (RpcException exception) when (exception.StatusCode
            is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
        {
            return EngineUnavailable();
        }
    }

    private static ProblemHttpResult EngineUnavailable() => ApiResults.Problem(
        StatusCodes.Status503ServiceUnavailable,
        "The CertEngine is unavailable, so the certificate authorities cannot be read; retry in a few seconds.");
}

/// <summary>One certificate authority and the suppliers whose certificates it signs.</summary>
public sealed record CertificateAuthorityResponse(
    string Alias,
    string Subject,
    string KeyAlgorithm,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    IReadOnlyList<string> Suppliers);
