using System.Collections;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Adds schemas that transformers create to the document's components, so that operations refer to
/// one named schema, as they do for the types in response metadata, and clients generate one class.
/// </summary>
internal static class SchemaComponents
{
    /// <summary>
    /// Returns a reference to the component schema of <paramref name="type"/>, named after the type.
    /// Adds the schema when the document lacks it, with its properties of class types as components too.
    /// </summary>
    public static async Task<IOpenApiSchema> ReferenceAsync(
        Type type,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        var document = context.Document
            ?? throw new InvalidOperationException("The operation transformer runs without its document.");
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(type.Name))
        {
            var schema = await context.GetOrCreateSchemaAsync(type, cancellationToken: cancellationToken);
            var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            foreach (var property in json.GetTypeInfo(type).Properties)
            {
                if (IsObject(property.PropertyType) && schema.Properties?.ContainsKey(property.Name) == true)
                {
                    schema.Properties[property.Name] =
                        await ReferenceAsync(property.PropertyType, context, cancellationToken);
                }
            }

            document.AddComponent(type.Name, schema);
        }

        return new OpenApiSchemaReference(type.Name, document);
    }

    private static bool IsObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);
}
