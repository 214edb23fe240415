using System.CommandLine;
using System.CommandLine.Invocation;
using BulkCerts.Cli.Commands;

namespace BulkCerts.Cli;

/// <summary>The bulkcerts command tree and its entry point, which tests call in-process.</summary>
public static class BulkCertsCli
{
    public const string Name = "bulkcerts";

    public static RootCommand CreateRootCommand(CliEnvironment environment)
    {
        var global = new GlobalOptions();
        var root = new RootCommand(
            "Create, download and verify device certificates with the BulkCerts REST API. " +
            "Exit codes: 0 success, 1 verification failed, 2 invalid command line, 3 API unreachable, " +
            "4 missing or rejected API key, 5 not found, 6 task failed, 7 request rejected, 8 server error, " +
            "9 task still running, 10 file error, 70 internal error, 130 interrupted.")
        {
            HelpName = Name,
        };
        root.Options.Add(global.Url);
        root.Options.Add(global.ApiKey);
        root.Subcommands.Add(CreateCommand.Build(global, environment));
        root.Subcommands.Add(StatusCommand.Build(global, environment));
        root.Subcommands.Add(DownloadCommand.Build(global, environment));
        root.Subcommands.Add(VerifyCommand.Build(global, environment));
        root.Subcommands.Add(CasCommand.Build(global, environment));
        return root;
    }

    /// <summary>Parses <paramref name="args"/>, runs the command and returns the process exit code.</summary>
    public static async Task<int> InvokeAsync(
        string[] args,
        CliEnvironment environment,
        CancellationToken cancellationToken = default)
    {
        var parseResult = CreateRootCommand(environment).Parse(args);
        if (parseResult.Action is ParseErrorAction parseError)
        {
            // The errors and one line of advice keep a CI log readable; the full help would bury them.
            parseError.ShowHelp = false;
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Output,
            Error = environment.Error,
            ProcessTerminationTimeout = environment.HandlesTerminationSignals ? TimeSpan.FromSeconds(2) : null,
        };
        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken);
        if (parseResult.Errors.Count == 0)
        {
            return exitCode;
        }

        var command = parseResult.CommandResult.Command;
        var usage = command is RootCommand ? $"{Name} --help" : $"{Name} {command.Name} --help";
        await environment.Error.WriteLineAsync($"Run '{usage}' for usage.");
        return ExitCodes.Usage;
    }
}
