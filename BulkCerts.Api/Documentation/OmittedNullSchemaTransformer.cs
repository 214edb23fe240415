using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Removes from <c>required</c> the properties that are left out of a body when null, such as the
/// task status's <c>message</c>, which only a failed task has. The generator marks every constructor
/// parameter of a record as required.
/// </summary>
internal sealed class OmittedNullSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(
        OpenApiSchema schema,
        OpenApiSchemaTransformerContext context,
        CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            // JsonIgnoreCondition.WhenWritingNull is the only ignore condition the Api's bodies use,
            // and it sets ShouldSerialize.
            foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.ShouldSerialize is not null))
            {
                schema.Required?.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }
}
