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

    /// <summary>Returns openssl's text form of a certificate (<c>openssl x509 -noout -text</c>).</summary>
    public static async Task<string> DescribeCertificateAsync(string certificatePem)
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-x509-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "certificate.pem"), certificatePem);
            var result = await RunAsync(folder, "x509", "-in", "certificate.pem", "-noout", "-text");
            Assert.True(result.ExitCode == 0, result.Error);
            return result.Output;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

internal sealed record OpensslResult(int ExitCode, string Output, string Error);
