using System.ComponentModel;
using System.Text.Json.Serialization;
using BulkCerts.Api.Tasks;

namespace BulkCerts.Api.Certificates;

/// <summary>Body of the 202 response to a create request.</summary>
public sealed record TaskCreatedResponse(
    string TaskId,
    [property: Description(TaskStatusResponse.StatusDescription)] string Status);

/// <summary>
/// Body of <c>GET /certificates/{taskId}/task</c>, and of each progress event. The first five
/// fields are those of the original service.
/// </summary>
public sealed record TaskStatusResponse(
    string TaskId,
    [property: Description(TaskStatusResponse.StatusDescription)] string Status,
    [property: Description("When the task was created, in milliseconds since the Unix epoch.")] long BatchDate,
    int ChunksPending,
    int ChunksTotal,
    int Quantity,
    long CertificatesIssued,
    [property: Description("Certification requests that could not be signed; errors.json in the zip says why. " +
        "Always 0 for tasks that generate keys.")] long CertificatesRejected,
    [property: Description("Certificates issued and certification requests rejected, as a percentage of the " +
        "quantity, rounded down to one decimal.")] double PercentComplete,
    [property: Description("Why the task failed; present only when it did.")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message)
{
    public const string StatusDescription = "pending, in_progress, complete or failed.";

    public static TaskStatusResponse From(TaskRecord task) => new(
        task.TaskId,
        task.Status,
        task.BatchDate,
        task.ChunksPending,
        task.ChunksTotal,
        task.Request.Quantity,
        task.CertificatesIssued,
        task.CertificatesRejected,
        task.PercentComplete,
        task.Status == TaskStates.Failed ? task.Message : null);
}
