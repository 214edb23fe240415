using System.Text.Json;

namespace BulkCerts.Tests.Support;

/// <summary>One operation of an OpenAPI document, read as JSON.</summary>
internal sealed record DocumentedOperation(string Method, string Path, JsonElement Operation)
{
    public const string ProblemSchema = "#/components/schemas/ProblemDetails";

    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    /// <summary>The method and path, such as <c>GET /certificates/{taskId}</c>.</summary>
    public string Key => $"{Method} {Path}";

    public string Id => Operation.TryGetProperty("operationId", out var id) ? id.GetString() ?? Key : Key;

    public IReadOnlyDictionary<int, JsonElement> Responses =>
        Operation.GetProperty("responses").EnumerateObject().ToDictionary(
            response => int.Parse(response.Name),
            response => response.Value);

    public bool HasRequestBody => Operation.TryGetProperty("requestBody", out _);

    /// <summary>The names of the security schemes the operation accepts, any one of them sufficing.</summary>
    public IReadOnlyList<string> SecuritySchemes =>
        Operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().SelectMany(requirement => requirement.EnumerateObject()).Select(
                scheme => scheme.Name)]
            : [];

    public static List<DocumentedOperation> ReadAll(JsonElement document) =>
    [
        .. document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(operation => Methods.Contains(operation.Name))
            .Select(operation =>
                new DocumentedOperation(operation.Name.ToUpperInvariant(), path.Name, operation.Value))),
    ];

    /// <summary>Returns the path with a new UUID in each parameter, an id no task, supplier or CA has.</summary>
    public string PathWithUnknownIds() => FillUnknownIds(Path);

    /// <summary>Returns <paramref name="path"/> with a new UUID in each parameter left in it.</summary>
    public static string FillUnknownIds(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]+\}", _ => Guid.NewGuid().ToString());
}
