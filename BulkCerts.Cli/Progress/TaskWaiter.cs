using System.Diagnostics;
using BulkCerts.Cli.Api;

namespace BulkCerts.Cli.Progress;

/// <summary>Polls a task's status until it ends, and shows its progress meanwhile.</summary>
public static class TaskWaiter
{
    /// <summary>
    /// Returns the final status of the task. When the wait is interrupted (Ctrl+C) or a poll fails for
    /// a reason that may pass, the error names <paramref name="resumeCommand"/>, since the task goes
    /// on in the service.
    /// </summary>
    public static async Task<TaskStatusBody> WaitAsync(
        BulkCertsClient client,
        string taskId,
        long? requestedQuantity,
        string resumeCommand,
        CliEnvironment environment,
        CancellationToken cancellationToken)
    {
        var resume = $"Task {taskId} goes on in the service; resume with: {resumeCommand}";
        var view = ProgressViews.Create(environment.Console, $"Task {taskId}");
        try
        {
            return await view.RunAsync(report => PollAsync(
                client, taskId, requestedQuantity, environment.PollInterval, report, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"Stopped waiting. {resume}", ExitCodes.Interrupted);
        }
        catch (CliException exception) when (exception.ExitCode
            is ExitCodes.Unreachable or ExitCodes.ServerError or ExitCodes.Rejected)
        {
            // Only these failures leave the task as it was; after a 401 or 404 resuming would fail too.
            throw new CliException($"{exception.Message} {resume}", exception.ExitCode, exception);
        }
    }

    private static async Task<TaskStatusBody> PollAsync(
        BulkCertsClient client,
        string taskId,
        long? requestedQuantity,
        TimeSpan pollInterval,
        Action<ProgressUpdate> report,
        CancellationToken cancellationToken)
    {
        var estimator = new ProgressEstimator();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await client.GetStatusAsync(taskId, cancellationToken);
            var progress = TaskProgress.From(status, requestedQuantity);
            estimator.Add(clock.Elapsed, progress);
            report(new ProgressUpdate(progress, ProgressText.Describe(progress, estimator), clock.Elapsed));
            if (status.HasEnded)
            {
                return status;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }
}
