namespace BulkCerts.Cli;

/// <summary>The process exit codes of bulkcerts; the README lists them for scripts.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>At least one certificate of the zip failed verification.</summary>
    public const int VerificationFailed = 1;

    /// <summary>The command line is invalid: an unknown option, a missing argument, a malformed URL.</summary>
    public const int Usage = 2;

    /// <summary>The API could not be reached: connection refused, unknown host, or no response in time.</summary>
    public const int Unreachable = 3;

    /// <summary>No API key was given, or the API rejected it (401) or its scope (403).</summary>
    public const int Unauthorized = 4;

    /// <summary>The task, supplier or CA does not exist (404), or its certificates have expired (410).</summary>
    public const int NotFound = 5;

    /// <summary>The task failed, so it has no certificates.</summary>
    public const int TaskFailed = 6;

    /// <summary>The API rejected the request for another reason (400, 413, 422, 429 and other 4xx).</summary>
    public const int Rejected = 7;

    /// <summary>The API failed (5xx) or sent a response that does not match its contract.</summary>
    public const int ServerError = 8;

    /// <summary>The task is still running and <c>--no-wait</c> was given.</summary>
    public const int StillRunning = 9;

    /// <summary>A local file could not be written.</summary>
    public const int FileError = 10;

    /// <summary>An unexpected error, a defect of bulkcerts; the message includes the stack trace.</summary>
    public const int InternalError = 70;

    /// <summary>Ctrl+C or SIGTERM stopped the command (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
