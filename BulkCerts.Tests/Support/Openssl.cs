using System.Diagnostics;

namespace BulkCerts.Tests.Support;

/// <summary>Runs the openssl command line, the independent verifier of what BulkCerts issues.</summary>
internal static class Openssl
{
    public static async Task<OpensslResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("openssl could not be started; install the openssl package.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        return new OpensslResult(process.ExitCode, await output, await error);
    }
}

internal sealed record OpensslResult(int ExitCode, string Output, string Error);
