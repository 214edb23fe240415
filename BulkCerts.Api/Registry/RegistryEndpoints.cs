using System.Text.Json;
using BulkCerts.Api.Documentation;
using BulkCerts.Api.Http;
using BulkCerts.Api.Security;
using BulkCerts.Api.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Registry;

/// <summary>
/// Looks up and revokes registered certificates, which are those of tasks created with <c>"register": true</c>.
/// </summary>
public static class RegistryEndpoints
{
    /// <summary>The largest revocation body read, far above the size of <c>{"reason": ...}</c>.</summary>
    public const int MaxBodyBytes = 4096;

    private const string InvalidFingerprintDescription =
        "The fingerprint is not 64 hex digits, with or without colons between the bytes.";

    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = 4, AllowDuplicateProperties = false };

    public static IEndpointRouteBuilder MapRegistryEndpoints(this IEndpointRouteBuilder routes)
    {
        var registry = routes.MapGroup("/registry/certificates").WithTags("Registry");

        registry.MapGet("/{fingerprint}", GetCertificate)
            .WithName("GetRegisteredCertificate")
            .WithSummary("Read a registered certificate and its revocation status")
            .WithDescription("Certificates of tasks created with \"register\": true are registered as they are " +
                "issued and kept until BulkCerts:Registry:RetentionAfterExpiry after their notAfter. The fingerprint " +
                "is the certId of the task's manifest, in either case, with or without colons.")
            .ProducesJson<RegisteredCertificateResponse>(StatusCodes.Status200OK, "The registered certificate.")
            .ProducesRegistryErrors(InvalidFingerprintDescription)
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes both JSON media types.");

        registry.MapPost("/{fingerprint}/revoke", RevokeCertificate)
            .WithName("RevokeCertificate")
            .WithSummary("Revoke a registered certificate")
            .WithDescription("Marks the certificate revoked, also when it has expired; the next revocation list of " +
                "its CA (GET /certificateauthorities/{alias}/crl) lists it until it expires. A revocation cannot " +
                "be changed or undone.")
            .AcceptsJson<RevocationRequest>("The reason; optional.")
            .ProducesJson<RegisteredCertificateResponse>(StatusCodes.Status200OK, "The certificate, now revoked.")
            .ProducesRegistryErrors(InvalidFingerprintDescription + " Or the body is not a JSON object with a valid " +
                "reason or reasonCode.")
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes both JSON media types.")
            .ProducesError(StatusCodes.Status409Conflict, "The certificate was revoked before; the message gives " +
                "the time and the reason.")
            .ProducesError(StatusCodes.Status413PayloadTooLarge, $"The body is over {MaxBodyBytes} bytes.")
            .ProducesError(StatusCodes.Status415UnsupportedMediaType,
                "The body is not JSON, or is declared in a charset other than UTF-8.");

        return routes;
    }

    private static RouteHandlerBuilder ProducesRegistryErrors(this RouteHandlerBuilder builder, string badRequest) =>
        builder
            .ProducesError(StatusCodes.Status400BadRequest, badRequest)
            .ProducesError(StatusCodes.Status403Forbidden,
                "The certificate belongs to a supplier outside the credential's scope.")
            .ProducesError(StatusCodes.Status404NotFound, "No certificate with this fingerprint is registered.")
            .ProducesError(StatusCodes.Status503ServiceUnavailable, "Redis is unreachable; retry after the " +
                "Retry-After seconds.")
            .WithResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait.",
                JsonSchemaType.Integer);

    public static async Task<Results<JsonHttpResult<RegisteredCertificateResponse>, ProblemHttpResult>>
        GetCertificate(string fingerprint, HttpRequest request, RegistryRequests registry, TimeProvider clock)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return ApiResults.NotAcceptable(request.Headers.Accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        var result = await registry.GetAsync(fingerprint, request.HttpContext.GetCredential());
        return ToHttp(result, responseType, clock);
    }

    public static async Task<Results<JsonHttpResult<RegisteredCertificateResponse>, ProblemHttpResult>>
        RevokeCertificate(string fingerprint, HttpRequest request, RegistryRequests registry, TimeProvider clock)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return ApiResults.NotAcceptable(request.Headers.Accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        if (Fingerprints.Normalize(fingerprint) is null)
        {
            return ApiResults.BadRequest(RegistryMessages.InvalidFingerprint(fingerprint));
        }

        var (reasonCode, problem) = await ReadReasonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var result = await registry.RevokeAsync(fingerprint, reasonCode, request.HttpContext.GetCredential());
        return ToHttp(result, responseType, clock);
    }

    private static Results<JsonHttpResult<RegisteredCertificateResponse>, ProblemHttpResult> ToHttp(
        RegistryResult result,
        string responseType,
        TimeProvider clock) => result.Error switch
    {
        RegistryError.None => TypedResults.Json(
            RegisteredCertificateResponse.From(result.Record!, clock.GetUtcNow()), StoreJson.Options, responseType),
        RegistryError.InvalidArgument => ApiResults.BadRequest(result.Message!),
        RegistryError.NotFound => ApiResults.NotFound(result.Message!),
        RegistryError.OutOfScope => ApiResults.Problem(StatusCodes.Status403Forbidden, result.Message!),
        _ => ApiResults.Problem(StatusCodes.Status409Conflict, result.Message!),
    };

    /// <summary>
    /// Reads the reason code from the body: <c>reason</c> by name or <c>reasonCode</c>, both naming the
    /// same reason when both are given; an empty body, an empty object or nulls mean unspecified.
    /// </summary>
    private static async Task<(int ReasonCode, ProblemHttpResult? Problem)> ReadReasonAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (0, TooLarge());
        }

        var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (0, TooLarge());
            }
        }

        var body = buffer.ToArray();
        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return (RevocationReasons.Unspecified, null);
        }

        if (!MediaTypes.IsJsonContent(request.ContentType))
        {
            return (0, ApiResults.Problem(
                StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{MessageText.Shorten(request.ContentType ?? string.Empty)}' is not supported; send " +
                $"the body as {MediaTypes.Json}, such as {{\"reason\": \"keyCompromise\"}}, or send no body."));
        }

        try
        {
            using var json = JsonDocument.Parse(body, BodyOptions);
            return ReadReason(json.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException
            or ArgumentException)
        {
            return (0, ApiResults.BadRequest(
                $"The request body is not valid UTF-8 JSON: {exception.Message} Send an object such as " +
                "{\"reason\": \"keyCompromise\"}."));
        }
    }

    private static (int ReasonCode, ProblemHttpResult? Problem) ReadReason(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (0, ApiResults.BadRequest(
                $"The request body is a JSON {body.ValueKind.ToString().ToLowerInvariant()}, not an object; send an " +
                "object such as {\"reason\": \"keyCompromise\"}."));
        }

        int? byName = null;
        int? byCode = null;
        foreach (var property in body.EnumerateObject())
        {
            switch (property.Name)
            {
                case "reason" when property.Value.ValueKind == JsonValueKind.Null:
                case "reasonCode" when property.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "reason" when property.Value.ValueKind == JsonValueKind.String:
                    var name = property.Value.GetString()!;
                    byName = RevocationReasons.FromName(name);
                    if (byName is null)
                    {
                        return (0, ApiResults.BadRequest(RegistryMessages.InvalidReasonName(name)));
                    }

                    break;
                case "reasonCode" when property.Value.ValueKind == JsonValueKind.Number:
                    if (ReadWholeNumber(property.Value, out var code) is { } problem)
                    {
                        return (0, ApiResults.BadRequest(
                            $"reasonCode {MessageText.Shorten(property.Value.GetRawText())} {problem}; " +
                            $"use {RevocationReasons.Codes}."));
                    }

                    if (code is < 0 or > int.MaxValue || !RevocationReasons.IsValid((int)code))
                    {
                        return (0, ApiResults.BadRequest(RegistryMessages.InvalidReasonCode(code)));
                    }

                    byCode = (int)code;
                    break;
                case "reason" or "reasonCode":
                    return (0, ApiResults.BadRequest(
                        $"{property.Name} is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}; send " +
                        (property.Name == "reason"
                            ? "a name such as \"keyCompromise\"."
                            : "a whole number such as 1.")));
                default:
                    return (0, ApiResults.BadRequest(
                        $"Property '{MessageText.Shorten(property.Name)}' is not known; a revocation body takes only " +
                        "reason and reasonCode."));
            }
        }

        if (byName is { } fromName && byCode is { } fromCode && fromName != fromCode)
        {
            return (0, ApiResults.BadRequest(
                $"reason {RevocationReasons.NameOf(fromName)} and reasonCode {fromCode} name different reasons; " +
                "send one of them."));
        }

        return (byName ?? byCode ?? RevocationReasons.Unspecified, null);
    }

    /// <summary>
    /// Reads a JSON number that is whole, written as 1, 1.0 or 1e0; returns why it is not one, or null.
    /// </summary>
    private static string? ReadWholeNumber(JsonElement value, out long number)
    {
        if (value.TryGetInt64(out number))
        {
            return null;
        }

        if (value.TryGetDecimal(out var exact))
        {
            if (exact != decimal.Truncate(exact))
            {
                return "is not a whole number";
            }

            if (exact is < long.MinValue or > long.MaxValue)
            {
                return "is out of range";
            }

            number = (long)exact;
            return null;
        }

        // Beyond the range of decimal: out of range when whole, as 1e30 is.
        return value.TryGetDouble(out var approximate) && double.IsFinite(approximate)
            && approximate == Math.Floor(approximate)
            ? "is out of range"
            : "is not a whole number";
    }

    private static ProblemHttpResult TooLarge() => ApiResults.Problem(
        StatusCodes.Status413PayloadTooLarge,
        $"The request body is larger than {MaxBodyBytes} bytes; a revocation body is a small object such as " +
        "{\"reason\": \"keyCompromise\"}.");
}
