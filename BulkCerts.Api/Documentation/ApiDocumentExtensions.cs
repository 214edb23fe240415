using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Serves the OpenAPI document that the endpoints' metadata describes, and the Scalar API reference
/// in the Development environment.
/// </summary>
public static class ApiDocumentExtensions
{
    public const string DocumentName = "v1";

    /// <summary>Route of the document, in which <c>{documentName}</c> is <see cref="DocumentName"/>.</summary>
    public const string DocumentPattern = "/openapi/{documentName}.json";

    public const string ReferencePath = "/scalar";

    /// <summary>Adds the generator of the OpenAPI document and the transformers that complete it.</summary>
    public static IHostApplicationBuilder AddApiDocument(this IHostApplicationBuilder builder)
    {
        // The Api reads request bodies itself and accepts numbers only as JSON numbers, and it writes
        // numbers as numbers, so the schemas must not offer numbers in strings, which the web defaults allow.
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer<DocumentInfoTransformer>();
            options.AddOperationTransformer<CredentialsOperationTransformer>();
            options.AddSchemaTransformer<ProblemSchemaTransformer>();
            options.AddSchemaTransformer<CreateTaskSchemaTransformer>();
            options.AddSchemaTransformer<OmittedNullSchemaTransformer>();
        });

        return builder;
    }

    /// <summary>
    /// Maps the document without credentials, because it contains no secrets and clients read it to
    /// generate code before they have a key. The Scalar reference is mapped in Development only.
    /// </summary>
    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi(DocumentPattern).AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            // The page loads its scripts from the Api. Scalar 3.0 would also load fonts from its own
            // servers and report telemetry there, and its AI chat and MCP options are its services too.
            // They are off, so the reference works offline and sends nothing about the API elsewhere.
            app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("BulkCerts API")
                .WithOpenApiRoutePattern(DocumentPattern)
                .AddPreferredSecuritySchemes([SecuritySchemes.ApiKey])
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp())
                .AllowAnonymous();
        }

        return app;
    }
}
