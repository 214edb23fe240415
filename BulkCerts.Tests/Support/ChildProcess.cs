using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BulkCerts.Tests.Support;

/// <summary>
/// A process that a test starts itself, with its output collected. Disposing kills it with its
/// children. Settings of the app that the test process inherits are removed, so only those the test
/// passes reach the child.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly string[] InheritedSettingPrefixes =
        ["ConnectionStrings__", "Redis__", "BulkCerts__", "CertEngine__", "Parameters__", "services__", "OTEL_"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Every line the process wrote to standard output and standard error so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var inherited = startInfo.Environment.Keys.Where(IsAppSetting).ToList();
        foreach (var key in inherited)
        {
            startInfo.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, line) => child.Collect(line.Data);
        process.ErrorDataReceived += (_, line) => child.Collect(line.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{fileName} could not be started.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to exit, and kills it when it has not after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            Dispose();
            Assert.Fail($"{_process.StartInfo.FileName} did not exit within {timeout}. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Returns a TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private static bool IsAppSetting(string variable) =>
        InheritedSettingPrefixes.Any(prefix => variable.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
