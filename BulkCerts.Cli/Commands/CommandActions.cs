using System.CommandLine;
using Spectre.Console;

namespace BulkCerts.Cli.Commands;

internal static class CommandActions
{
    /// <summary>
    /// Sets an action whose expected failures (<see cref="CliException"/>) print one error line,
    /// without a stack trace, and exit with their code.
    /// </summary>
    public static void SetGuardedAction(
        this Command command,
        CliEnvironment environment,
        Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken);
            }
            catch (CliException exception)
            {
                WriteError(environment, exception.Message);
                return exception.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                WriteError(environment, "Interrupted.");
                return ExitCodes.Interrupted;
            }
            catch (Exception exception)
            {
                WriteError(environment, $"Unexpected failure, a defect of bulkcerts: {exception}");
                return ExitCodes.InternalError;
            }
        });
    }

    public static void WriteError(CliEnvironment environment, string message) =>
        environment.ErrorConsole.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    /// <summary>Quotes a value for a POSIX shell when it contains anything but safe characters.</summary>
    public static string ShellQuote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':')
            ? value
            : $"'{value.Replace("'", "'\\''")}'";
}
