using System.Text.Json.Nodes;
using BulkCerts.Api.Certificates;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Takes the limits of the create-task body from the settings, the request parser and the key
/// algorithm list, so that the document states the values the Api enforces.
/// </summary>
internal sealed class CreateTaskSchemaTransformer(IOptions<BulkCertsOptions> options) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(
        OpenApiSchema schema,
        OpenApiSchemaTransformerContext context,
        CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not { } property)
        {
            // An example body, so that the reference's request editor starts with a valid request.
            if (context.JsonTypeInfo.Type == typeof(CreateTaskRequest))
            {
                schema.Examples = [JsonNode.Parse(CreateTaskRequest.Example)!];
            }

            return Task.CompletedTask;
        }

        if (property.DeclaringType == typeof(CreateTaskRequest) && property.Name == "quantity")
        {
            schema.Minimum = "1";
            schema.Maximum = options.Value.MaxQuantity.ToString();
        }
        else if (property.DeclaringType == typeof(CreateTaskRequest) && property.Name == "csrs")
        {
            schema.MinItems = 1;
            schema.MaxItems = options.Value.MaxQuantity;
        }
        else if (property.DeclaringType == typeof(SigningRequestRow))
        {
            foreach (var (name, maxLength) in CreateTaskRequestParser.SubjectFields)
            {
                if (property.Name == name)
                {
                    schema.MaxLength = maxLength;
                }
            }
        }
        else if (property.DeclaringType == typeof(CertInfo))
        {
            foreach (var (name, maxLength) in CreateTaskRequestParser.SubjectFields)
            {
                if (property.Name == name)
                {
                    schema.MaxLength = maxLength;
                }
            }

            if (property.Name == "keyAlgorithm")
            {
                schema.Enum = [.. KeyAlgorithms.Names.Select(value => JsonValue.Create(value))];
            }
            else if (property.Name == "privateKeyFormat")
            {
                schema.Enum = [JsonValue.Create(CreateTaskRequestParser.Pkcs8)];
            }
            else if (property.Name == "outputFormat")
            {
                schema.Enum = [.. CreateTaskRequestParser.OutputFormats.Select(value => JsonValue.Create(value))];
            }
        }

        return Task.CompletedTask;
    }
}
