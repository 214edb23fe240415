using BulkCerts.Api.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Documentation;

/// <summary>
/// Sets the document's title and description, and declares the security schemes that the Api accepts:
/// the API key always, and bearer tokens when <c>BulkCerts:Auth:Jwt</c> configures them.
/// </summary>
internal sealed class DocumentInfoTransformer(IOptions<AuthOptions> auth) : IOpenApiDocumentTransformer
{
    private const string Description =
        "Issues X.509 device certificates in bulk: create a task, poll its status, download a zip of " +
        "certificates and private keys. Compatible with the bulk certificates module of the AWS Connected " +
        "Device Framework. Every error is a problem document whose `message` states what was wrong and how " +
        "to fix it. Any request may also get 431 when its headers exceed 16 KiB or 64 lines.";

    public Task TransformAsync(
        OpenApiDocument document,
        OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken)
    {
        document.Info.Title = "BulkCerts API";
        document.Info.Description = Description;

        // The generator names a server from the request's Host header, which any caller sets. Without
        // a server, clients resolve the paths against the address they fetched the document from.
        document.Servers = [];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemes.ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key issued by the operator. A key may be limited to some suppliers.",
        };
        if (auth.Value.Jwt.Enabled)
        {
            document.Components.SecuritySchemes[SecuritySchemes.Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT from the configured issuer, with a sub or client_id claim. The " +
                    $"{auth.Value.Jwt.SupplierClaim} claim, when present, limits it to the suppliers it lists.",
            };
        }

        return Task.CompletedTask;
    }
}
