using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using BulkCerts.Api;
using BulkCerts.Api.Certificates;
using BulkCerts.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace BulkCerts.Tests.InProcess;

/// <summary>
/// Compares the OpenAPI document with the endpoints the Api's Program maps, so that any endpoint
/// added without its documentation fails here.
/// </summary>
public sealed partial class ApiDocumentTests(InProcessApi api) : IClassFixture<InProcessApi>
{
    /// <summary>
    /// Display name prefix of the endpoints that MapGrpcService adds, including those for unimplemented
    /// methods, which carry no gRPC metadata (Grpc.AspNetCore 2.85).
    /// </summary>
    private const string GrpcDisplayNamePrefix = "gRPC - ";

    /// <summary>Endpoints left out of the document: the health probes and the documentation itself.</summary>
    private static readonly string[] UndocumentedPrefixes = ["/health", "/alive", "/openapi/", "/scalar"];

    [Fact]
    public async Task DocumentListsEveryMappedEndpoint()
    {
        var documented = (await ReadOperationsAsync()).Select(operation => operation.Key).ToHashSet();
        var mapped = MappedEndpoints().Select(endpoint => endpoint.Key).ToHashSet();

        Assert.True(mapped.Count > 0, "The Api maps no endpoint.");
        Assert.True(mapped.IsSubsetOf(documented), "Mapped but not documented: " + Join(mapped.Except(documented)));
        Assert.True(documented.IsSubsetOf(mapped), "Documented but not mapped: " + Join(documented.Except(mapped)));
    }

    [Fact]
    public async Task OperationsDescribeTheirResponses()
    {
        var failures = new List<string>();
        foreach (var operation in await ReadOperationsAsync())
        {
            failures.AddRange(CheckDescriptions(operation));
            failures.AddRange(CheckResponses(operation));
        }

        Assert.True(failures.Count == 0, Join(failures));
    }

    [Fact]
    public async Task CredentialedOperationsDocumentSecurity()
    {
        var endpoints = MappedEndpoints().ToDictionary(endpoint => endpoint.Key);
        var failures = new List<string>();
        foreach (var operation in await ReadOperationsAsync())
        {
            if (!endpoints.TryGetValue(operation.Key, out var endpoint) || !endpoint.RequiresCredentials)
            {
                continue;
            }

            if (!operation.SecuritySchemes.SequenceEqual(["ApiKey", "Bearer"]))
            {
                failures.Add($"{operation.Key} lists security [{string.Join(", ", operation.SecuritySchemes)}], " +
                    "not [ApiKey, Bearer].");
            }

            failures.AddRange(
                Missing(operation, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests));
        }

        Assert.True(failures.Count == 0, Join(failures));
    }

    [Fact]
    public async Task ProblemSchemaRequiresMessage()
    {
        using var document = await ReadDocumentAsync();

        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var problem = schemas.GetProperty("ProblemDetails");
        var message = problem.GetProperty("properties").GetProperty("message");

        Assert.Equal("string", message.GetProperty("type").GetString());
        Assert.Contains("message", problem.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
    }

    [Fact]
    public async Task SecuritySchemesDescribeKeyAndToken()
    {
        using var document = await ReadDocumentAsync();
        var schemes = document.RootElement.GetProperty("components").GetProperty("securitySchemes");

        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal("apiKey", apiKey.GetProperty("type").GetString());
        Assert.Equal("header", apiKey.GetProperty("in").GetString());
        Assert.Equal("x-api-key", apiKey.GetProperty("name").GetString());
        var bearer = schemes.GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
    }

    [Fact]
    public async Task CreateTaskBodyMatchesParser()
    {
        using var document = await ReadDocumentAsync();
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var request = PropertyNames(schemas.GetProperty("CreateTaskRequest"));
        var certInfo = PropertyNames(schemas.GetProperty("CertInfo"));
        var keyAlgorithms = schemas.GetProperty("CertInfo").GetProperty("properties").GetProperty("keyAlgorithm")
            .GetProperty("enum").EnumerateArray().Select(name => name.GetString());

        Assert.Equal(CreateTaskRequestParser.RequestProperties.Order(), request.Order());
        Assert.Equal(CreateTaskRequestParser.CertInfoProperties.Order(), certInfo.Order());
        Assert.Equal(KeyAlgorithms.Names, keyAlgorithms);
    }

    [Fact]
    public void CreateTaskExampleIsValid()
    {
        using var example = JsonDocument.Parse(CreateTaskRequest.Example);

        var parsed = CreateTaskRequestParser.Parse(example.RootElement, new BulkCertsOptions());

        Assert.Null(parsed.Error);
        Assert.Equal(10, parsed.Request?.Quantity);
    }

    [Fact]
    public async Task DocumentIsValidOpenApi()
    {
        using var client = api.CreateClient();
        var text = await client.GetStringAsync("/openapi/v1.json");

        var result = OpenApiDocument.Parse(text, OpenApiConstants.Json, new OpenApiReaderSettings());

        Assert.NotNull(result.Document);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, result.Diagnostic?.SpecificationVersion);
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        Assert.Empty(result.Document.Validate(Microsoft.OpenApi.ValidationRuleSet.GetDefaultRuleSet()) ?? []);
    }

    [Fact]
    public async Task ScalarPagesLoadWithoutCredentials()
    {
        using var client = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var redirect = await client.GetAsync("/scalar");
        using var page = await client.GetAsync("/scalar/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        foreach (Match script in ScriptSource().Matches(html))
        {
            using var asset = await client.GetAsync("/scalar/" + script.Groups[1].Value);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{script.Groups[1].Value}: {(int)asset.StatusCode}");
        }
    }

    [Fact]
    public async Task ProductionServesDocumentWithoutScalar()
    {
        await using var production = new InProcessApi { EnvironmentName = Environments.Production };
        var options = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        using var client = production.CreateClient(options);

        // With the key an unmapped path gets 404. Without it the fallback policy returns 401 first.
        client.DefaultRequestHeaders.Add("x-api-key", InProcessApi.ApiKey);

        using var document = await client.GetAsync("/openapi/v1.json");
        using var page = await client.GetAsync("/scalar/");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    private static IEnumerable<string> CheckDescriptions(DocumentedOperation operation)
    {
        foreach (var field in new[] { "operationId", "summary" })
        {
            if (!operation.Operation.TryGetProperty(field, out var value) || value.GetString() is not { Length: > 0 })
            {
                yield return $"{operation.Key} has no {field}.";
            }
        }

        if (!operation.Operation.TryGetProperty("tags", out var tags) || tags.GetArrayLength() == 0)
        {
            yield return $"{operation.Key} has no tag.";
        }
    }

    /// <summary>
    /// Checks that an operation has a success response, describes each response in its own words,
    /// documents every error as a problem document, and lists the errors its shape implies.
    /// </summary>
    private static IEnumerable<string> CheckResponses(DocumentedOperation operation)
    {
        var responses = operation.Responses;
        if (!responses.Keys.Any(status => status < 400))
        {
            yield return $"{operation.Key} documents no success or redirect response.";
        }

        foreach (var (status, response) in responses)
        {
            var description = response.TryGetProperty("description", out var text) ? text.GetString() : null;
            if (string.IsNullOrWhiteSpace(description) || description == ReasonPhrases.GetReasonPhrase(status))
            {
                yield return $"{operation.Key} {status} has no description of its own.";
            }

            if (status >= 400 && !IsProblem(response))
            {
                yield return $"{operation.Key} {status} is not documented as application/problem+json ProblemDetails.";
            }
        }

        if (operation.Path.Contains('{'))
        {
            foreach (var missing in Missing(operation, StatusCodes.Status404NotFound))
            {
                yield return missing;
            }
        }

        if (operation.HasRequestBody)
        {
            var bodyErrors = Missing(
                operation,
                StatusCodes.Status400BadRequest,
                StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType);
            foreach (var missing in bodyErrors)
            {
                yield return missing;
            }
        }
    }

    private static string Join(IEnumerable<string> lines) => string.Join(Environment.NewLine, lines);

    private static IEnumerable<string> Missing(DocumentedOperation operation, params int[] statuses) =>
        statuses.Where(status => !operation.Responses.ContainsKey(status))
            .Select(status => $"{operation.Key} does not document {status}.");

    private static bool IsProblem(JsonElement response) =>
        response.TryGetProperty("content", out var content)
        && content.EnumerateObject().Select(media => media.Name).SequenceEqual(["application/problem+json"])
        && content.GetProperty("application/problem+json").GetProperty("schema").TryGetProperty("$ref", out var schema)
        && schema.GetString() == DocumentedOperation.ProblemSchema;

    private static IEnumerable<string> PropertyNames(JsonElement schema) =>
        schema.GetProperty("properties").EnumerateObject().Select(property => property.Name);

    /// <summary>
    /// Returns every method and route the Api maps, but for the undocumented ones and the gRPC
    /// services, which the gRPC reflection service describes.
    /// </summary>
    private List<MappedEndpoint> MappedEndpoints()
    {
        var authorization = api.Services.GetRequiredService<IOptions<AuthorizationOptions>>();
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        return
        [
            .. from endpoint in endpoints
               let path = RouteParameter().Replace("/" + endpoint.RoutePattern.RawText!.TrimStart('/'), "{$1}")
               where !UndocumentedPrefixes.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal))
                   && endpoint.DisplayName?.StartsWith(GrpcDisplayNamePrefix, StringComparison.Ordinal) != true
               from method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]
               select new MappedEndpoint(
                   $"{method} {path}",
                   endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
                       && authorization.Value.FallbackPolicy is not null),
        ];
    }

    private async Task<List<DocumentedOperation>> ReadOperationsAsync()
    {
        using var document = await ReadDocumentAsync();
        return [.. DocumentedOperation.ReadAll(document.RootElement.Clone())];
    }

    private async Task<JsonDocument> ReadDocumentAsync()
    {
        using var client = api.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>A route parameter with its constraints, default or catch-all mark, which the document drops.</summary>
    [GeneratedRegex(@"\{\**([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();

    private sealed record MappedEndpoint(string Key, bool RequiresCredentials);
}
