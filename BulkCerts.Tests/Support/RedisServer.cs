using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace BulkCerts.Tests.Support;

/// <summary>
/// A redis-server of the test's own on a free loopback port, with a password and no persistence,
/// in a temporary folder, like the existing Redis of a deployment that the app does not start.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly ChildProcess _process;
    private readonly string _folder;

    private RedisServer(ChildProcess process, string folder, string connectionString)
    {
        _process = process;
        _folder = folder;
        ConnectionString = connectionString;
    }

    /// <summary>The StackExchange.Redis connection string, password included.</summary>
    public string ConnectionString { get; }

    public string Password => ConfigurationOptions.Parse(ConnectionString).Password!;

    public static async Task<RedisServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-redis-").FullName;
        var port = ChildProcess.FindFreePort();
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var process = ChildProcess.Start(
            "redis-server",
            ["--port", $"{port}", "--bind", "127.0.0.1", "--requirepass", password,
                "--save", string.Empty, "--appendonly", "no", "--dir", folder],
            folder,
            new Dictionary<string, string>());
        var server = new RedisServer(process, folder, $"127.0.0.1:{port},password={password}");

        try
        {
            await WaitForPortAsync(process, port);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    private static async Task WaitForPortAsync(ChildProcess process, int port)
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            Assert.False(process.HasExited, $"redis-server exited:\n{process.Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellation.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"redis-server did not listen on port {port} within {StartTimeout}:\n{process.Output}");
            }
        }
    }

    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
