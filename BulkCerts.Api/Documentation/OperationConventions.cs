using BulkCerts.Api.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Describes an endpoint's request body, responses and headers in the OpenAPI document. The 401 and
/// 429 responses of endpoints that require credentials are added by
/// <see cref="CredentialsOperationTransformer"/>, so an endpoint lists only its own outcomes.
/// </summary>
public static class OperationConventions
{
    private static readonly string[] JsonTypes = [MediaTypes.Json, MediaTypes.CdfJson];

    /// <summary>Documents a JSON response body, in either JSON media type, as the Accept header selects.</summary>
    public static RouteHandlerBuilder ProducesJson<TBody>(
        this RouteHandlerBuilder builder,
        int statusCode,
        string description) =>
        builder.ProducesContent(statusCode, typeof(TBody), description, JsonTypes);

    /// <summary>Documents a response body of <paramref name="bodyType"/> in the given media types.</summary>
    public static RouteHandlerBuilder ProducesContent(
        this RouteHandlerBuilder builder,
        int statusCode,
        Type bodyType,
        string description,
        params string[] contentTypes) =>
        builder
            .WithMetadata(new ProducesResponseTypeMetadata(statusCode, bodyType, contentTypes))
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The generator of Microsoft.AspNetCore.OpenApi 10.0 ignores the metadata's Description.
                FindResponse(operation, statusCode).Description = description;
                return Task.CompletedTask;
            });

    /// <summary>Documents a response without a body, such as 204 or a redirect.</summary>
    public static RouteHandlerBuilder ProducesNoContent(
        this RouteHandlerBuilder builder,
        int statusCode,
        string description) =>
        builder.ProducesContent(statusCode, typeof(void), description);

    /// <summary>Documents an error response: a problem document with <c>message</c>.</summary>
    public static RouteHandlerBuilder ProducesError(
        this RouteHandlerBuilder builder,
        int statusCode,
        string description) =>
        builder.ProducesContent(statusCode, typeof(ProblemDetails), description, JsonProblemDetailsWriter.ContentType);

    /// <summary>
    /// Documents a JSON request body that the handler reads itself. The type only describes the body:
    /// an Accepts convention would also make routing reject other content types, with a less useful
    /// message than the handler's.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder, string description) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await SchemaComponents.ReferenceAsync(typeof(TBody), context, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = description,
                Required = true,
                Content = JsonTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = schema }),
            };
        });

    /// <summary>Documents an optional request header that the handler reads itself.</summary>
    public static RouteHandlerBuilder WithRequestHeader(
        this RouteHandlerBuilder builder,
        string name,
        string description) =>
        builder.WithParameter(ParameterLocation.Header, name, description);

    /// <summary>Documents an optional query parameter that the handler reads itself.</summary>
    public static RouteHandlerBuilder WithQueryParameter(
        this RouteHandlerBuilder builder,
        string name,
        string description) =>
        builder.WithParameter(ParameterLocation.Query, name, description);

    private static RouteHandlerBuilder WithParameter(
        this RouteHandlerBuilder builder,
        ParameterLocation location,
        string name,
        string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = location,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });

    /// <summary>Documents a header of the response with <paramref name="statusCode"/>.</summary>
    public static RouteHandlerBuilder WithResponseHeader(
        this RouteHandlerBuilder builder,
        int statusCode,
        string name,
        string description,
        JsonSchemaType type = JsonSchemaType.String) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var response = FindResponse(operation, statusCode);
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[name] = new OpenApiHeader
            {
                Description = description,
                Schema = new OpenApiSchema { Type = type },
            };
            return Task.CompletedTask;
        });

    private static OpenApiResponse FindResponse(OpenApiOperation operation, int statusCode) =>
        operation.Responses?.GetValueOrDefault(statusCode.ToString()) as OpenApiResponse
            ?? throw new InvalidOperationException(
                $"{operation.OperationId} documents no {statusCode} response; declare the response before its " +
                "description or headers.");
}
