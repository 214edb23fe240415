using BulkCerts.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Marks every operation whose endpoint requires credentials with the security schemes and the 401
/// and 429 responses that the authentication and rate limiting middleware write. An endpoint
/// requires credentials, as for the authorization middleware, when it does not allow anonymous
/// access and either the fallback policy or its own authorization metadata demands a user.
/// </summary>
internal sealed class CredentialsOperationTransformer(
    IOptions<AuthorizationOptions> authorization,
    IOptions<AuthOptions> auth) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        if (!RequiresCredentials(context.Description.ActionDescriptor.EndpointMetadata, authorization.Value))
        {
            return;
        }

        operation.Security = [Requirement(SecuritySchemes.ApiKey, context.Document)];
        if (auth.Value.Jwt.Enabled)
        {
            operation.Security.Add(Requirement(SecuritySchemes.Bearer, context.Document));
        }

        var problem = await SchemaComponents.ReferenceAsync(typeof(ProblemDetails), context, cancellationToken);
        operation.Responses ??= [];
        operation.Responses[StatusCodes.Status401Unauthorized.ToString()] = ProblemResponse(
            problem,
            "No credentials, or an invalid API key or bearer token.");
        var tooMany = ProblemResponse(
            problem,
            "The credential is over its request rate, or, for a create request, already has its maximum " +
            "number of tasks running.");
        tooMany.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before retrying.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            },
        };
        operation.Responses[StatusCodes.Status429TooManyRequests.ToString()] = tooMany;
    }

    public static bool RequiresCredentials(IList<object> metadata, AuthorizationOptions authorization) =>
        !metadata.OfType<IAllowAnonymous>().Any()
        && (authorization.FallbackPolicy is not null || metadata.OfType<IAuthorizeData>().Any());

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) => new()
    {
        [new OpenApiSecuritySchemeReference(scheme, document)] = [],
    };

    private static OpenApiResponse ProblemResponse(IOpenApiSchema schema, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [Http.JsonProblemDetailsWriter.ContentType] = new() { Schema = schema },
        },
    };
}
