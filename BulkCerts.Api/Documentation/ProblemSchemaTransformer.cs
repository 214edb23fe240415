using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Adds <c>message</c> to the problem document's schema, because every error the Api writes carries
/// it: the field that clients of the original service read.
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
        schema.Required ??= new HashSet<string>();
        schema.Required.Add(MessageProperty);
        return Task.CompletedTask;
    }
}
