using BulkCerts.Api.Http;
using BulkCerts.Api.Security;

namespace BulkCerts.Api.Tasks;

/// <summary>Error messages about looking up a task, shared by the REST endpoints and the gRPC service.</summary>
public static class TaskMessages
{
    public static string InvalidId(string taskId) =>
        $"Task id '{MessageText.Shorten(taskId)}' is not valid; task ids are {TaskIds.Format}.";

    public static string NotFound(string taskId) =>
        $"Task {taskId} was not found. Check the id; tasks are deleted when their retention ends.";

    /// <summary>Returns the message for <paramref name="subject"/>, such as a task or a supplier, outside a scope.</summary>
    public static string OutOfScope(Credential credential, string subject) =>
        $"{subject} is outside the scope of credential '{credential.Name}', which may use only " +
        $"{credential.DescribeScope()}; use a credential for that supplier.";
}
