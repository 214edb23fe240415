namespace BulkCerts.Api.Tasks;

/// <summary>The status words of a task, as the REST API reports them.</summary>
public static class TaskStates
{
    public const string Pending = "pending";
    public const string InProgress = "in_progress";
    public const string Complete = "complete";
    public const string Failed = "failed";
}
