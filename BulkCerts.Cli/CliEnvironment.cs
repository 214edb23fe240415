using Spectre.Console;

namespace BulkCerts.Cli;

/// <summary>
/// The console, environment variables and timing that a run of bulkcerts uses, so that tests can
/// run the command tree in-process with their own writers.
/// </summary>
public sealed class CliEnvironment
{
    /// <summary>Standard output, for help text and parse errors.</summary>
    public required TextWriter Output { get; init; }

    /// <summary>Standard error, for help text and parse errors.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard output for results, tables and progress.</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>Standard error for error messages.</summary>
    public required IAnsiConsole ErrorConsole { get; init; }

    /// <summary>Reads an environment variable; returns null when it is not set.</summary>
    public required Func<string, string?> GetVariable { get; init; }

    /// <summary>Time between two reads of a running task's status.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether Ctrl+C and SIGTERM cancel the command; false in-process, where the host owns the signals.
    /// </summary>
    public bool HandlesTerminationSignals { get; init; }

    public static CliEnvironment ForProcess()
    {
        var console = AnsiConsole.Console;
        var errorConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(System.Console.Error),
        });

        // Redirected output goes to a file or a CI log, where wrapping at the default 80 columns would
        // split messages and make them hard to search.
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        if (System.Console.IsErrorRedirected)
        {
            errorConsole.Profile.Width = RedirectedWidth;
        }

        return new()
        {
            Output = System.Console.Out,
            Error = System.Console.Error,
            Console = console,
            ErrorConsole = errorConsole,
            GetVariable = Environment.GetEnvironmentVariable,
            HandlesTerminationSignals = true,
        };
    }

    /// <summary>
    /// Creates an environment that writes plain text, without colors or live displays, to the
    /// given writers and reads variables from <paramref name="variables"/> only.
    /// </summary>
    public static CliEnvironment ForWriters(
        TextWriter output,
        TextWriter error,
        IReadOnlyDictionary<string, string>? variables = null,
        TimeSpan? pollInterval = null) => new()
    {
        Output = output,
        Error = error,
        Console = CreatePlainConsole(output),
        ErrorConsole = CreatePlainConsole(error),
        GetVariable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
        PollInterval = pollInterval ?? TimeSpan.FromSeconds(1),
    };

    // Wide enough that no message or table row of a log is wrapped; Spectre.Console pads nothing to it.
    private const int RedirectedWidth = 4096;

    private static IAnsiConsole CreatePlainConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = RedirectedWidth;
        return console;
    }
}
