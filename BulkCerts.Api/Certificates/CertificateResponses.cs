using System.Text.Json.Serialization;

namespace BulkCerts.Api.Certificates;

/// <summary>Body of the 202 response to a create request.</summary>
public sealed record TaskCreatedResponse(string TaskId, string Status);

/// <summary>Body of <c>GET /certificates/{taskId}/task</c>.</summary>
public sealed record TaskStatusResponse(
    string TaskId,
    string Status,
    long BatchDate,
    int ChunksPending,
    int ChunksTotal,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);
