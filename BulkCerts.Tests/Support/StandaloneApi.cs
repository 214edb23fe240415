using Aspire.Hosting;

namespace BulkCerts.Tests.Support;

/// <summary>
/// The Api started from its build output without the AppHost, configured only through environment
/// variables, as a deployment runs it. It listens on a free loopback port.
/// </summary>
internal sealed class StandaloneApi : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);

    private readonly ChildProcess _process;

    private StandaloneApi(ChildProcess process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Every line the Api wrote to its console so far.</summary>
    public string Output => _process.Output;

    public static async Task<StandaloneApi> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{ChildProcess.FindFreePort()}");
        var environment = new Dictionary<string, string>(settings)
        {
            // The Api's settings name its endpoints, so they are moved here rather than with ASPNETCORE_URLS.
            ["Kestrel__Endpoints__http__Url"] = address.ToString(),
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{ChildProcess.FindFreePort()}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        var folder = OutputFolder();
        var api = new StandaloneApi(
            ChildProcess.Start("dotnet", [Path.Combine(folder, "BulkCerts.Api.dll")], folder, environment),
            address);
        try
        {
            await api.WaitForHealthAsync();
        }
        catch
        {
            api.Dispose();
            throw;
        }

        return api;
    }

    public void Dispose() => _process.Dispose();

    /// <summary>
    /// Returns the Api's own build output, of the configuration this test assembly was built in,
    /// such as BulkCerts.Api/bin/Debug/net10.0.
    /// </summary>
    private static string OutputFolder()
    {
        var testOutput = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var projectFolder = Path.GetDirectoryName(new Projects.BulkCerts_Api().ProjectPath)!;
        var folder = Path.Combine(projectFolder, "bin", testOutput.Parent!.Name, testOutput.Name);
        Assert.True(File.Exists(Path.Combine(folder, "BulkCerts.Api.dll")), $"The Api is not built in {folder}.");
        return folder;
    }

    private async Task WaitForHealthAsync()
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        using var cancellation = new CancellationTokenSource(StartTimeout);
        while (!cancellation.IsCancellationRequested)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"The Api exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/alive", cancellation.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The Api did not answer /alive within {StartTimeout}:\n{Output}");
    }
}
