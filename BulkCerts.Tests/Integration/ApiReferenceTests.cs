using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Fetches the OpenAPI document from the running app and sends real requests to every operation it
/// lists, so a status, media type, header or body field the Api sends but does not document fails here.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class ApiReferenceTests(BulkCertsAppFixture fixture)
{
    private const string EmptyObject = "{}";

    private static readonly int[] Unauthorized = [401];

    [Fact]
    public async Task DocumentIsServedWithoutCredentials()
    {
        using var client = fixture.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.NotEmpty(DocumentedOperation.ReadAll(document.RootElement));
    }

    [Fact]
    public async Task ScalarIsServedInDevelopment()
    {
        using var client = fixture.CreateClient(apiKey: null);

        using var page = await client.GetAsync("/scalar/");
        using var script = await client.GetAsync("/scalar/scalar.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task EveryOperationRespondsAsDocumented()
    {
        var (document, operations) = await ReadDocumentAsync();
        using var anonymous = fixture.CreateClient(apiKey: null);
        var failures = new List<string>();

        // A registered task of one EC certificate gives the task and registry operations real ids.
        var created = await SendAsync(
            fixture.Api,
            Find(operations, "CreateTask"),
            "/certificates",
            """
            {"quantity": 1, "register": true, "certInfo": {"commonName": "openapi-probe", "keyAlgorithm": "EC-P256"}}
            """);
        failures.AddRange(Check(document, Find(operations, "CreateTask"), created));
        using var createdBody = JsonDocument.Parse(created.Body);
        var taskId = createdBody.RootElement.GetProperty("taskId").GetString()!;

        // Before the task ends the download returns 303, and after it 200 with the zip.
        var running = Find(operations, "DownloadCertificates");
        failures.AddRange(Check(document, running, await SendAsync(fixture.Api, running, $"/certificates/{taskId}")));
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(1));
        var fingerprint = TaskClient.ReadManifest(await TaskClient.DownloadAsync(fixture.Api, taskId))[0].CertId;

        // DELETE goes last, so that the other operations still find the task.
        foreach (var operation in operations.OrderBy(operation => operation.Method == "DELETE"))
        {
            var unknownPath = operation.PathWithUnknownIds();
            var knownPath = KnownIds(operation.Path, taskId, fingerprint);
            var body = operation.HasRequestBody ? EmptyObject : null;
            if (operation.SecuritySchemes.Count > 0)
            {
                var response = await SendAsync(anonymous, operation, unknownPath, body);
                failures.AddRange(Check(document, operation, response, Unauthorized));
            }

            failures.AddRange(Check(document, operation, await SendAsync(fixture.Api, operation, unknownPath, body)));
            failures.AddRange(Check(
                document,
                operation,
                await SendAsync(fixture.Api, operation, unknownPath, body, accept: "image/png")));
            if (operation.HasRequestBody)
            {
                failures.AddRange(Check(
                    document,
                    operation,
                    await SendAsync(fixture.Api, operation, knownPath, "quantity=1", contentType: "text/plain")));
            }

            failures.AddRange(Check(document, operation, await SendAsync(fixture.Api, operation, knownPath, body)));
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Replaces the path parameters the fixture has real values for; others get a new UUID.</summary>
    private static string KnownIds(string path, string taskId, string fingerprint) =>
        DocumentedOperation.FillUnknownIds(path
            .Replace("{taskId}", taskId)
            .Replace("{fingerprint}", fingerprint)
            .Replace("{supplierId}", BulkCertsAppFixture.SupplierId)
            .Replace("{alias}", BulkCertsAppFixture.SupplierAlias));

    /// <summary>
    /// Returns what in a response the document does not describe: its status, its media type, a
    /// documented header it lacks, an error body without <c>message</c>, or a JSON field the schema
    /// does not declare or a required one the body lacks.
    /// </summary>
    private static IEnumerable<string> Check(
        JsonElement document,
        DocumentedOperation operation,
        ProbeResponse response,
        int[]? expected = null)
    {
        var label = $"{response.Request} -> {response.Status}";
        if (expected is not null && !expected.Contains(response.Status))
        {
            yield return $"{label}: expected {string.Join(" or ", expected)}. {response.Body}";
        }

        if (!operation.Responses.TryGetValue(response.Status, out var documented))
        {
            yield return $"{label}: {operation.Id} does not document {response.Status}. {response.Body}";
            yield break;
        }

        var mediaTypes = documented.TryGetProperty("content", out var content)
            ? content.EnumerateObject().Select(media => media.Name).ToList()
            : [];
        if (mediaTypes.Count > 0 && !mediaTypes.Contains(response.MediaType ?? string.Empty))
        {
            yield return $"{label}: media type {response.MediaType} is not among [{string.Join(", ", mediaTypes)}].";
        }

        if (response.Status < 400 && documented.TryGetProperty("headers", out var headers))
        {
            foreach (var header in headers.EnumerateObject().Where(header => !response.Headers.Contains(header.Name)))
            {
                yield return $"{label}: the documented header {header.Name} is missing.";
            }
        }

        if (response.Status >= 400 && !HasMessage(response.Body))
        {
            yield return $"{label}: the error body has no message. {response.Body}";
        }

        if (response.MediaType is { } mediaType && mediaType.EndsWith("json", StringComparison.Ordinal)
            && mediaTypes.Contains(mediaType))
        {
            var schema = content.GetProperty(mediaType).GetProperty("schema");
            using var body = JsonDocument.Parse(response.Body);
            foreach (var problem in CheckFields(document, schema, body.RootElement))
            {
                yield return $"{label}: {problem}";
            }
        }
    }

    /// <summary>Compares a JSON object, or the objects of an array, with the schema's properties.</summary>
    private static IEnumerable<string> CheckFields(JsonElement document, JsonElement schema, JsonElement value)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            return value.EnumerateArray().SelectMany(item => CheckFields(document, items, item));
        }

        if (value.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties))
        {
            return [];
        }

        var declared = properties.EnumerateObject().Select(property => property.Name).ToHashSet();
        var present = value.EnumerateObject().Select(property => property.Name).ToHashSet();
        var required = schema.TryGetProperty("required", out var names)
            ? names.EnumerateArray().Select(name => name.GetString()!)
            : [];
        return present.Except(declared).Select(field => $"the body's field {field} is not in the schema.")
            .Concat(required.Except(present).Select(field => $"the required field {field} is missing."));
    }

    private static bool HasMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                && message.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<ProbeResponse> SendAsync(
        HttpClient client,
        DocumentedOperation operation,
        string path,
        string? body = null,
        string? accept = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await client.SendAsync(request);
        var bodyType = response.Content.Headers.ContentType?.MediaType;
        var text = bodyType == "application/zip" ? string.Empty : await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Select(header => header.Key)
            .Concat(response.Content.Headers.Select(header => header.Key))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var described =
            $"{operation.Method} {path} (Accept {accept ?? "none"}, body {body ?? "none"} as {contentType})";
        return new ProbeResponse(described, (int)response.StatusCode, bodyType, headers, text);
    }

    private async Task<(JsonElement Document, List<DocumentedOperation> Operations)> ReadDocumentAsync()
    {
        using var client = fixture.CreateClient(apiKey: null);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement.Clone();
        return (root, DocumentedOperation.ReadAll(root));
    }

    private static DocumentedOperation Find(List<DocumentedOperation> operations, string id) =>
        operations.SingleOrDefault(operation => operation.Id == id)
            ?? throw new InvalidOperationException($"The document has no operation {id}.");

    private sealed record ProbeResponse(
        string Request,
        int Status,
        string? MediaType,
        IReadOnlySet<string> Headers,
        string Body);
}
