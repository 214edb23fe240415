using BulkCerts.Cli;

namespace BulkCerts.Tests.Support;

/// <summary>Runs the bulkcerts command tree in-process with plain-text writers in place of the console.</summary>
internal static class CliRunner
{
    /// <summary>Polls every 200 ms, so that tests wait for short tasks no longer than needed.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(null, null, CancellationToken.None, args);

    /// <summary>
    /// Runs bulkcerts with <paramref name="args"/>. It reads only <paramref name="variables"/>, and
    /// <paramref name="onOutput"/> receives the standard output written so far after each write.
    /// </summary>
    public static async Task<CliRun> RunAsync(
        IReadOnlyDictionary<string, string>? variables,
        Action<string>? onOutput,
        CancellationToken cancellationToken,
        params string[] args)
    {
        var output = new ObservedWriter(onOutput);
        var error = new StringWriter();
        var environment = CliEnvironment.ForWriters(output, error, variables, PollInterval);

        var exitCode = await BulkCertsCli.InvokeAsync(args, environment, cancellationToken)
            .WaitAsync(TimeSpan.FromMinutes(3));
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    private sealed class ObservedWriter(Action<string>? onOutput) : StringWriter
    {
        public override void Write(char value)
        {
            base.Write(value);
            onOutput?.Invoke(ToString());
        }

        public override void Write(string? value)
        {
            base.Write(value);
            onOutput?.Invoke(ToString());
        }
    }
}

/// <summary>The exit code and output of one run; its text form goes into assertion messages.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() =>
        $"exit code {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Output}" +
        $"{Environment.NewLine}stderr:{Environment.NewLine}{Error}";
}
