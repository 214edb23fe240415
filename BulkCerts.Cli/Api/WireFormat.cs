using System.Text.Json;

namespace BulkCerts.Cli.Api;

/// <summary>Body of the 202 response to a create request.</summary>
public sealed record TaskCreated(string TaskId, string Status);

/// <summary>
/// Body of <c>GET /certificates/{taskId}/task</c>. <c>Quantity</c>, <c>CertificatesIssued</c> and
/// <c>PercentComplete</c> (0 to 100) are null when the API does not send them.
/// </summary>
public sealed record TaskStatusBody(
    string TaskId,
    string Status,
    long BatchDate,
    int ChunksPending,
    int ChunksTotal,
    string? Message = null,
    long? Quantity = null,
    long? CertificatesIssued = null,
    double? PercentComplete = null)
{
    public const string Complete = "complete";
    public const string Failed = "failed";

    public bool HasEnded => Status is Complete or Failed;
}

/// <summary>One entry of <c>GET /certificateauthorities</c>.</summary>
public sealed record CertificateAuthoritySummary(
    string Alias,
    string Subject,
    string KeyAlgorithm,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    IReadOnlyList<string> Suppliers);

internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
