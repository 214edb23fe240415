namespace BulkCerts.Cli;

/// <summary>
/// An expected failure: its message is printed without a stack trace and the process exits with its code.
/// </summary>
public sealed class CliException(string message, int exitCode, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;
}
