using System.Diagnostics;

namespace BulkCerts.AppHost.Redis;

/// <summary>
/// Asks the Docker client whether an engine responds. Aspire offers no stable way to ask before the
/// app is built, and without an engine a container resource never becomes healthy.
/// </summary>
internal static class ContainerRuntime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static bool IsAvailable()
    {
        try
        {
            var startInfo = new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No docker client on PATH.
            return false;
        }
    }
}
