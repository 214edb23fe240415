using Microsoft.Extensions.Configuration;
using System.Diagnostics;

namespace BulkCerts.AppHost.Redis;

/// <summary>
/// Finds <c>redis-server</c> on PATH and, when it is missing on a Debian or Ubuntu machine where
/// the AppHost runs as root, installs it with apt-get (setting <c>Redis:Install</c>: <c>auto</c> or
/// <c>never</c>).
/// </summary>
internal static class RedisServerLocator
{
    private const string ServerName = "redis-server";
    private const string InstallHint =
        "Install Redis with 'sudo apt-get install -y redis-server' (Debian, Ubuntu), " +
        "'brew install redis' (macOS), or start Docker and set Redis:Mode=container.";

    public static string FindOrInstall(IConfiguration configuration)
    {
        if (FindOnPath(ServerName) is { } found)
        {
            return found;
        }

        var install = configuration["Redis:Install"] ?? "auto";
        if (install.Equals("auto", StringComparison.OrdinalIgnoreCase)
            && Environment.IsPrivilegedProcess
            && FindOnPath("apt-get") is { } aptGet)
        {
            Console.WriteLine(
                $"{ServerName} is not on PATH; installing it with apt-get (set Redis:Install=never to stop this).");
            if (Run(aptGet, "install -y redis-server") != 0)
            {
                Run(aptGet, "update");
                Run(aptGet, "install -y redis-server");
            }

            if (FindOnPath(ServerName) is { } installed)
            {
                return installed;
            }
        }

        throw new RedisSetupException($"Redis is required, but no container runtime responded and " +
            $"{ServerName} is not on PATH. {InstallHint}");
    }

    private static string? FindOnPath(string fileName)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, fileName))
            .FirstOrDefault(File.Exists);
    }

    private static int Run(string fileName, string arguments)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments) { UseShellExecute = false };
        startInfo.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(startInfo)
            ?? throw new RedisSetupException($"Could not start {fileName}. {InstallHint}");
        process.WaitForExit();
        return process.ExitCode;
    }
}
