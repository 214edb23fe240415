using System.CommandLine;
using BulkCerts.Cli.Api;
using BulkCerts.Cli.Progress;

namespace BulkCerts.Cli.Commands;

/// <summary>
/// <c>bulkcerts download</c>: waits for a task unless <c>--no-wait</c> is given, downloads its zip and verifies it.
/// This is also how an interrupted <c>create</c> resumes.
/// </summary>
internal static class DownloadCommand
{
    public static Command Build(GlobalOptions global, CliEnvironment environment)
    {
        var taskId = new Argument<string>("TASKID") { Description = "Id of the task, as create printed it" };
        var noWait = new Option<bool>("--no-wait")
        {
            Description = $"Do not wait for a running task: exit with code {ExitCodes.StillRunning} instead",
        };
        var supplier = VerifyOptions.CreateSupplierOption();
        var verifyOptions = new VerifyOptions();
        var command = new Command("download", "Download a task's zip of certificates and private keys and verify " +
            "them; waits with a progress bar while the task runs")
        {
            taskId, noWait, supplier,
        };
        verifyOptions.AddTo(command);

        command.SetGuardedAction(environment, async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(taskId);
            var outPath = parseResult.GetRequiredValue(verifyOptions.Out);
            var verify = !parseResult.GetValue(verifyOptions.NoVerify);
            var authority = (parseResult.GetValue(verifyOptions.Authority), parseResult.GetValue(supplier));
            using var client = global.CreateClient(parseResult, environment);

            long? expected = null;
            if (!parseResult.GetValue(noWait))
            {
                var resume = $"bulkcerts download {id} --out {CommandActions.ShellQuote(outPath)}";
                var status = await TaskWaiter.WaitAsync(client, id, null, resume, environment, cancellationToken);
                if (status.Status == TaskStatusBody.Failed)
                {
                    throw new CliException($"Task {id} failed: {status.Message}", ExitCodes.TaskFailed);
                }

                expected = status.Quantity;
            }

            return await TaskResults.DownloadAsync(
                client, id, outPath, verify, authority, expected, environment, cancellationToken);
        });
        return command;
    }
}
