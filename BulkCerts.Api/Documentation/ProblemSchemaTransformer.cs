using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Adds the fields the Api writes besides the standard ones to the problem document's schema:
/// <c>message</c>, which every error carries as the field clients of the original service read, and
/// <c>traceId</c>.
/// </summary>
internal sealed class ProblemSchemaTransformer : IOpenApiSchemaTransformer
{
    public const string MessageProperty = "message";

    public Task TransformAsync(
        OpenApiSchema schema,
        OpenApiSchemaTransformerContext context,
        CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type != typeof(ProblemDetails) || context.JsonPropertyInfo is not null)
        {
            return Task.CompletedTask;
        }

        schema.Description = "A problem document (RFC 9457) with the Api's own `message`.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties[MessageProperty] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "What was wrong, with the value, and what to do about it.",
        };
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The request's activity id in the Api's traces, written by ASP.NET Core; absent when " +
                "the Accept header excludes JSON.",
        };
        schema.Required ??= new HashSet<string>();
        schema.Required.Add(MessageProperty);
        return Task.CompletedTask;
    }
}
