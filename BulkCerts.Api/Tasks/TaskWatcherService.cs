using BulkCerts.Api.Security;
using BulkCerts.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using TaskStatus = BulkCerts.Api.V1.TaskStatus;

namespace BulkCerts.Api.Tasks;

/// <summary>The gRPC form of <c>GET /certificates/{taskId}/events</c>, for internal tools.</summary>
public sealed class TaskWatcherService(TaskStore tasks, TaskProgressFeed feed) : TaskWatcher.TaskWatcherBase
{
    public override async Task WatchTask(
        WatchTaskRequest request,
        IServerStreamWriter<TaskProgress> responseStream,
        ServerCallContext context)
    {
        if (!TaskIds.IsValid(request.TaskId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, TaskMessages.InvalidId(request.TaskId)));
        }

        var task = await tasks.GetAsync(request.TaskId.ToLowerInvariant())
            ?? throw new RpcException(new Status(StatusCode.NotFound, TaskMessages.NotFound(request.TaskId)));

        var credential = context.GetHttpContext().GetCredential();
        if (!credential.MayUse(task.SupplierId))
        {
            throw new RpcException(new Status(
                StatusCode.PermissionDenied, TaskMessages.OutOfScope(credential, $"Task {task.TaskId}")));
        }

        var lastEventId = request.LastEventId.Length == 0 ? null : request.LastEventId;
        try
        {
            await foreach (var update in feed.WatchAsync(task, lastEventId, context.CancellationToken))
            {
                await responseStream.WriteAsync(ToMessage(update), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller cancelled or went away.
        }
    }

    public static TaskProgress ToMessage(TaskUpdate update)
    {
        var task = update.Task;
        return new TaskProgress
        {
            EventId = update.EventId,
            TaskId = task.TaskId,
            Status = update.Deleted ? TaskStatus.Deleted : ToStatus(task.Status),
            BatchDate = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(task.BatchDate)),
            ChunksPending = task.ChunksPending,
            ChunksTotal = task.ChunksTotal,
            Quantity = task.Request.Quantity,
            CertificatesIssued = task.CertificatesIssued,
            CertificatesRejected = task.CertificatesRejected,
            PercentComplete = task.PercentComplete,
            Message = task.Status == TaskStates.Failed ? task.Message ?? string.Empty : string.Empty,
        };
    }

    private static TaskStatus ToStatus(string status) => status switch
    {
        TaskStates.Pending => TaskStatus.Pending,
        TaskStates.InProgress => TaskStatus.InProgress,
        TaskStates.Complete => TaskStatus.Complete,
        TaskStates.Failed => TaskStatus.Failed,
        _ => TaskStatus.Unspecified,
    };
}
