using System.CommandLine;
using System.Globalization;
using BulkCerts.Cli.Api;
using BulkCerts.Cli.Progress;
using Spectre.Console;

namespace BulkCerts.Cli.Commands;

/// <summary><c>bulkcerts status</c>: prints a task's status once.</summary>
internal static class StatusCommand
{
    public static Command Build(GlobalOptions global, CliEnvironment environment)
    {
        var taskId = new Argument<string>("TASKID") { Description = "Id of the task, as create printed it" };
        var json = new Option<bool>("--json")
        {
            Description = "Print the API's status body as JSON, for scripts",
        };
        var command = new Command("status", "Print a task's status and how many certificates it has issued")
        {
            taskId, json,
        };

        command.SetGuardedAction(environment, async (parseResult, cancellationToken) =>
        {
            using var client = global.CreateClient(parseResult, environment);
            var (status, body) = await client.GetStatusWithBodyAsync(
                parseResult.GetRequiredValue(taskId), cancellationToken);
            if (parseResult.GetValue(json))
            {
                // Written as sent, so scripts see every field, including ones this client does not know.
                environment.Output.WriteLine(body);
                return ExitCodes.Success;
            }

            foreach (var line in Describe(status))
            {
                environment.Console.WriteLine(line);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static List<string> Describe(TaskStatusBody status)
    {
        var lines = new List<string>();
        AddRow(lines, "Task", status.TaskId);
        AddRow(lines, "Status", status.Status);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(status.BatchDate);
        AddRow(lines, "Created", created.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        AddRow(lines, "Chunks", $"{status.ChunksTotal - status.ChunksPending} of {status.ChunksTotal} complete");

        var progress = TaskProgress.From(status, null);
        if (progress.Issued is { } issued)
        {
            var percent = (progress.Fraction * 100).ToString("0.#", CultureInfo.InvariantCulture);
            var total = progress.Total is { } quantity ? $" of {ProgressText.Number(quantity)}" : string.Empty;
            AddRow(lines, "Certificates", $"{ProgressText.Number(issued)}{total} issued ({percent} %)");
        }

        if (status.Message is { } message)
        {
            AddRow(lines, "Message", message);
        }

        return lines;
    }

    private static void AddRow(List<string> lines, string name, string value) => lines.Add($"{name,-13} {value}");
}
