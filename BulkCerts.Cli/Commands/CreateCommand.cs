using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BulkCerts.Cli.Api;
using BulkCerts.Cli.Progress;
using Spectre.Console;

namespace BulkCerts.Cli.Commands;

/// <summary><c>bulkcerts create</c>: creates a task, waits for it, downloads its zip and verifies it.</summary>
internal static partial class CreateCommand
{
    public static Command Build(GlobalOptions global, CliEnvironment environment)
    {
        var createOptions = new CreateOptions();
        var verifyOptions = new VerifyOptions();
        var command = new Command("create", "Create certificates, show progress until they are issued, " +
            "download the zip and verify every certificate against the CA chain");
        createOptions.AddTo(command);
        verifyOptions.AddTo(command);

        command.SetGuardedAction(environment, async (parseResult, cancellationToken) =>
        {
            var request = new Request(
                parseResult.GetValue(createOptions.Quantity),
                parseResult.GetValue(createOptions.Supplier),
                parseResult.GetValue(createOptions.CommonName),
                createOptions.ReadCertInfo(parseResult),
                parseResult.GetRequiredValue(verifyOptions.Out),
                !parseResult.GetValue(verifyOptions.NoVerify),
                parseResult.GetValue(verifyOptions.Authority));
            using var client = global.CreateClient(parseResult, environment);
            return await RunAsync(client, request, environment, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Returns N of a <c>${increment(N)}</c> or <c>${static(N)}</c> generator with N above 0, which the
    /// API takes as the quantity in place of the request's <c>quantity</c>.
    /// </summary>
    public static int? TemplateQuantity(string? commonName) =>
        commonName is not null
        && GeneratorCount().Match(commonName) is { Success: true } match
        && int.TryParse(match.Groups[1].ValueSpan, out var count) && count > 0
            ? count
            : null;

    private static async Task<int> RunAsync(
        BulkCertsClient client,
        Request request,
        CliEnvironment environment,
        CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["quantity"] = request.Quantity, ["certInfo"] = request.CertInfo };
        var created = await client.CreateTaskAsync(body, request.SupplierId, cancellationToken);
        var expected = TemplateQuantity(request.CommonName) ?? request.Quantity;
        environment.Console.WriteLine(
            $"Created task {created.TaskId} for {ProgressText.Number(expected)} certificates");

        var status = await TaskWaiter.WaitAsync(
            client, created.TaskId, expected, ResumeCommand(created.TaskId, request), environment, cancellationToken);
        if (status.Status == TaskStatusBody.Failed)
        {
            throw new CliException($"Task {created.TaskId} failed: {status.Message}", ExitCodes.TaskFailed);
        }

        return await TaskResults.DownloadAsync(
            client,
            created.TaskId,
            request.OutPath,
            request.Verify,
            (request.Authority, request.SupplierId),
            status.Quantity ?? expected,
            environment,
            cancellationToken);
    }

    /// <summary>Returns the download command that picks up where an interrupted create stopped.</summary>
    private static string ResumeCommand(string taskId, Request request)
    {
        var command = $"bulkcerts download {taskId} --out {CommandActions.ShellQuote(request.OutPath)}";
        if (request.SupplierId is not null)
        {
            command += $" --supplier {CommandActions.ShellQuote(request.SupplierId)}";
        }

        if (request.Authority is not null)
        {
            command += $" --ca {CommandActions.ShellQuote(request.Authority)}";
        }

        return request.Verify ? command : command + " --no-verify";
    }

    [GeneratedRegex(@"\$\{(?i:increment|static)\((\d+)\)\}")]
    private static partial Regex GeneratorCount();

    private sealed record Request(
        int Quantity,
        string? SupplierId,
        string? CommonName,
        JsonObject CertInfo,
        string OutPath,
        bool Verify,
        string? Authority);
}
