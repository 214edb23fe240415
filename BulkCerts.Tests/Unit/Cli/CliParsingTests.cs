using System.CommandLine;
using System.Net;
using BulkCerts.Cli;
using BulkCerts.Cli.Api;
using BulkCerts.Cli.Commands;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Unit.Cli;

public sealed class CliParsingTests
{
    private const string SecretKey = "secret-key-never-printed-7f3a";

    [Fact]
    public async Task CreateWithoutRequiredOptionsIsUsageError()
    {
        var run = await CliRunner.RunAsync("create");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Option '--quantity' is required.", run.Error);
        Assert.Contains("Option '--out' is required.", run.Error);
        Assert.Contains("Run 'bulkcerts create --help' for usage.", run.Error);
    }

    [Theory]
    [InlineData("--quantity", "0", "--quantity must be at least 1, not 0.")]
    [InlineData("--days", "-3", "--days must be at least 1, not -3.")]
    [InlineData("--quantity", "many", "many")]
    public async Task InvalidCreateValueIsUsageError(string option, string value, string expected)
    {
        string[] args = option == "--quantity"
            ? ["create", option, value, "--out", "certs.zip"]
            : ["create", "--quantity", "5", option, value, "--out", "certs.zip"];

        var run = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(expected, run.Error);
    }

    [Fact]
    public async Task UnknownCommandIsUsageError()
    {
        var run = await CliRunner.RunAsync("issue");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("'issue'", run.Error);
        Assert.Contains("Run 'bulkcerts --help' for usage.", run.Error);
    }

    [Theory]
    [InlineData(null, null, "http://localhost:5080/")]
    [InlineData(null, "http://127.0.0.1:6000", "http://127.0.0.1:6000/")]
    [InlineData("http://127.0.0.1:7000/bulkcerts", "http://127.0.0.1:6000", "http://127.0.0.1:7000/bulkcerts")]
    public void UrlComesFromOptionThenVariable(string? option, string? variable, string expected)
    {
        var global = new GlobalOptions();
        var root = new RootCommand { global.Url, global.ApiKey };
        var parseResult = root.Parse(option is null ? [] : ["--url", option]);
        var environment = Environment(variable is null ? [] : new() { [GlobalOptions.UrlVariable] = variable });

        Assert.Equal(new Uri(expected), global.ResolveUrl(parseResult, environment));
    }

    [Fact]
    public void ApiKeyOptionWinsOverVariable()
    {
        var global = new GlobalOptions();
        var root = new RootCommand { global.Url, global.ApiKey };
        var environment = Environment(new() { [GlobalOptions.ApiKeyVariable] = "from-variable" });

        Assert.Equal("from-option", global.ResolveApiKey(root.Parse(["--api-key", "from-option"]), environment));
        Assert.Equal("from-variable", global.ResolveApiKey(root.Parse([]), environment));
    }

    [Fact]
    public async Task InvalidUrlIsUsageError()
    {
        var run = await CliRunner.RunAsync("--url", "ftp://127.0.0.1/", "--api-key", "k", "status", "some-task");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--url 'ftp://127.0.0.1/' is not an absolute http or https URL", run.Error);
    }

    [Fact]
    public async Task MissingApiKeyExplainsSetup()
    {
        var run = await CliRunner.RunAsync("cas");

        Assert.Equal(ExitCodes.Unauthorized, run.ExitCode);
        Assert.Contains("No API key was given. Set BULKCERTS_API_KEY or pass --api-key.", run.Error);
        Assert.Contains("dotnet user-secrets list --project BulkCerts.AppHost", run.Error);
    }

    [Fact]
    public async Task UnreachableApiNamesUrlAndSetting()
    {
        // Nothing listens on port 1 of the loopback address, so the connection is refused at once.
        var run = await CliRunner.RunAsync("--url", "http://127.0.0.1:1", "--api-key", "k", "status", "some-task");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("Could not connect to the BulkCerts API at http://127.0.0.1:1:", run.Error);
        Assert.Contains("--url or BULKCERTS_URL", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task HelpNeverPrintsApiKey()
    {
        var variables = new Dictionary<string, string> { [GlobalOptions.ApiKeyVariable] = SecretKey };

        foreach (var command in (string[])["", "create", "status", "download", "verify", "cas"])
        {
            string[] args = command.Length == 0 ? ["--help"] : [command, "--help"];
            var run = await CliRunner.RunAsync(variables, null, CancellationToken.None, args);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("--api-key", run.Output);
            Assert.DoesNotContain(SecretKey, run.Output + run.Error);
        }
    }

    [Fact]
    public void EveryCommandAndOptionHasHelpText()
    {
        var root = BulkCertsCli.CreateRootCommand(CliEnvironment.ForWriters(TextWriter.Null, TextWriter.Null));

        Assert.Equal(["create", "status", "download", "verify", "cas"], root.Subcommands.Select(c => c.Name));
        foreach (var command in root.Subcommands.Prepend(root))
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"{command.Name} has no description");
            foreach (var symbol in command.Options.Cast<Symbol>().Concat(command.Arguments))
            {
                Assert.False(
                    string.IsNullOrWhiteSpace(symbol.Description), $"{command.Name} {symbol.Name} has no description");
            }
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("sensor", null)]
    [InlineData("`dev-`0001${increment}", null)]
    [InlineData("`dev-`0001${increment(25)}", 25)]
    [InlineData("`dev-`AB${STATIC(7)}", 7)]
    [InlineData("`dev-`AB${static(0)}", null)]
    public void TemplateQuantityReadsGeneratorCount(string? commonName, int? expected)
    {
        Assert.Equal(expected, CreateCommand.TemplateQuantity(commonName));
    }

    [Theory]
    [InlineData("""{"status": 401, "detail": "d", "message": "The key is not valid."}""", "The key is not valid.")]
    [InlineData("""{"status": 404, "detail": "Only detail."}""", "Only detail.")]
    [InlineData("""{"title": "Bad Request"}""", "Bad Request")]
    [InlineData("""{"message": ""}""", null)]
    [InlineData("""["message"]""", null)]
    [InlineData("<html>Bad gateway</html>", null)]
    [InlineData("", null)]
    public void ProblemMessagePrefersMessageField(string body, string? expected)
    {
        Assert.Equal(expected, ProblemMessage.Read(body));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, ExitCodes.Rejected)]
    [InlineData(HttpStatusCode.Unauthorized, ExitCodes.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden, ExitCodes.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound, ExitCodes.NotFound)]
    [InlineData(HttpStatusCode.Gone, ExitCodes.NotFound)]
    [InlineData(HttpStatusCode.Conflict, ExitCodes.TaskFailed)]
    [InlineData(HttpStatusCode.TooManyRequests, ExitCodes.Rejected)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ExitCodes.ServerError)]
    public void HttpStatusMapsToExitCode(HttpStatusCode status, int expected)
    {
        Assert.Equal(expected, BulkCertsClient.ExitCodeFor(status));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OutputFileIsOwnerOnly()
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-cli-out-").FullName;
        try
        {
            var path = Path.Combine(folder, "certs.zip");
            var length = await OutputFiles.WritePrivateAsync(path, new MemoryStream([1, 2, 3]), CancellationToken.None);

            Assert.Equal(3, length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(["certs.zip"], Directory.GetFiles(folder).Select(Path.GetFileName));

            var exception = await Assert.ThrowsAsync<CliException>(() => OutputFiles.WritePrivateAsync(
                Path.Combine(folder, "missing", "certs.zip"), new MemoryStream([1]), CancellationToken.None));
            Assert.Equal(ExitCodes.FileError, exception.ExitCode);
            Assert.Contains("Choose another --out path.", exception.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task OutputThroughLinkIsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-cli-out-").FullName;
        try
        {
            var target = Path.Combine(folder, "target.txt");
            await File.WriteAllTextAsync(target, "kept");
            var link = Path.Combine(folder, "link.zip");
            File.CreateSymbolicLink(link, target);

            var exception = await Assert.ThrowsAsync<CliException>(() => OutputFiles.WritePrivateAsync(
                link, new MemoryStream([1, 2, 3]), CancellationToken.None));

            Assert.Equal(ExitCodes.FileError, exception.ExitCode);
            Assert.Contains("is a symbolic link", exception.Message);
            Assert.Equal(target, new FileInfo(link).LinkTarget);
            Assert.Equal("kept", await File.ReadAllTextAsync(target));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CliEnvironment Environment(Dictionary<string, string> variables) =>
        CliEnvironment.ForWriters(TextWriter.Null, TextWriter.Null, variables);
}
