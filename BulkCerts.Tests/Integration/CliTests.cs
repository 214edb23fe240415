using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using BulkCerts.Cli;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>Runs the bulkcerts command tree in-process against the running app.</summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class CliTests(BulkCertsAppFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bulkcerts-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The API's address and key, given as environment variables, as a CI job would set them.</summary>
    private Dictionary<string, string> Variables => new()
    {
        [GlobalOptions.UrlVariable] = fixture.App.GetEndpoint("api", "http").ToString(),
        [GlobalOptions.ApiKeyVariable] = BulkCertsAppFixture.ApiKey,
    };

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task CreateWritesVerifiedZip()
    {
        var zipPath = Path.Combine(_folder, "certs.zip");

        var run = await RunAsync(
            "create", "--quantity", "40", "--key-algorithm", "EC-P256", "--include-ca",
            "--common-name", "`cli-`0001${increment}", "--out", zipPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Created task [0-9a-f-]{36} for 40 certificates", run.Output);
        Assert.Contains(": complete, 100 %, 40 of 40 certificates", run.Output);
        Assert.Contains("Verifying against CA 'default'", run.Output);
        Assert.Contains("40 verified, 0 failed", run.Output);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(zipPath));

        // openssl checks the same zip independently of the client's own verifier.
        var entries = ReadZip(zipPath);
        var manifest = TaskClient.ReadManifest(entries);
        Assert.Equal(40, manifest.Count);
        Assert.Equal("cli-0001", manifest[0].CommonName);
        await IssuedCertificates.AssertOpensslVerifiesAsync(entries, manifest, fixture.DefaultCaCertificatePath);
    }

    [Fact]
    public async Task SupplierTaskVerifiesAgainstSupplierCa()
    {
        var run = await RunAsync(
            "create", "-n", "5", "--supplier", BulkCertsAppFixture.SupplierId, "--key-algorithm", "EC-P256",
            "--common-name", "acme-device",
            "--out", Path.Combine(_folder, "acme.zip"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Verifying against CA '{BulkCertsAppFixture.SupplierAlias}'", run.Output);
        Assert.Contains("5 verified, 0 failed", run.Output);
    }

    [Fact]
    public async Task StatusDownloadAndVerifyFinishedTask()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 12, "certInfo": {"commonName": "cli-status", "keyAlgorithm": "EC-P384"}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));

        var status = await RunAsync("status", taskId);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"Status\s+complete", status.Output);
        Assert.Matches(@"Chunks\s+1 of 1 complete", status.Output);

        var json = await RunAsync("status", taskId, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using (var body = JsonDocument.Parse(json.Output))
        {
            Assert.Equal(taskId, body.RootElement.GetProperty("taskId").GetString());
            Assert.Equal("complete", body.RootElement.GetProperty("status").GetString());
        }

        var zipPath = Path.Combine(_folder, "download.zip");
        var download = await RunAsync("download", taskId, "--out", zipPath);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Contains("12 verified, 0 failed", download.Output);

        var verify = await RunAsync("verify", zipPath);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("Verifying against CA 'default'", verify.Output);
        Assert.Contains("12 verified, 0 failed", verify.Output);

        var unverified = await RunAsync("download", taskId, "--no-wait", "--no-verify", "--out", zipPath + ".2");
        Assert.True(unverified.ExitCode == 0, unverified.ToString());
        Assert.DoesNotContain("Verifying", unverified.Output);
        Assert.Equal(ReadEntries(zipPath), ReadEntries(zipPath + ".2"));
    }

    [Fact]
    public async Task InterruptedCreateResumesWithDownload()
    {
        var zipPath = Path.Combine(_folder, "resumed.zip");
        using var interrupt = new CancellationTokenSource();

        // Ctrl+C as soon as the task exists: the client stops waiting, the task goes on in the service.
        var interrupted = await CliRunner.RunAsync(
            Variables,
            output =>
            {
                if (output.Contains("Created task"))
                {
                    interrupt.Cancel();
                }
            },
            interrupt.Token,
            "create", "-n", "20", "--common-name", "resumed", "--key-algorithm", "EC-P256", "--out", zipPath);

        Assert.True(interrupted.ExitCode == ExitCodes.Interrupted, interrupted.ToString());
        var taskId = Regex.Match(interrupted.Output, "Created task ([0-9a-f-]{36})").Groups[1].Value;
        Assert.Contains($"Stopped waiting. Task {taskId} goes on in the service; resume with: " +
            $"bulkcerts download {taskId} --out {zipPath}", interrupted.Error);
        Assert.False(File.Exists(zipPath));

        var resumed = await RunAsync("download", taskId, "--out", zipPath);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("20 verified, 0 failed", resumed.Output);
    }

    [Fact]
    public async Task DownloadWithoutWaitingReportsRunningTask()
    {
        // RSA-4096 keys take about a second each on two cores, so this task runs for minutes.
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 300, "certInfo": {"commonName": "slow", "keyAlgorithm": "RSA-4096"}}""");
        try
        {
            var run = await RunAsync("download", taskId, "--no-wait", "--out", Path.Combine(_folder, "early.zip"));

            Assert.True(run.ExitCode == ExitCodes.StillRunning, run.ToString());
            Assert.Contains($"Task {taskId} is still running", run.Error);
        }
        finally
        {
            using var deleted = await fixture.Api.DeleteAsync($"/certificates/{taskId}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
    }

    [Fact]
    public async Task TamperedZipFailsVerification()
    {
        var zipPath = Path.Combine(_folder, "tampered.zip");
        var created = await RunAsync(
            "create", "-n", "5", "--common-name", "tampered", "--key-algorithm", "EC-P256", "--no-verify",
            "--out", zipPath);
        Assert.True(created.ExitCode == 0, created.ToString());

        // The second certificate is swapped for one of the same name signed by another CA.
        using var rogue = TestCertificates.CreateAuthority("CN=Rogue CA");
        string swappedId;
        using (var archive = ZipFile.Open(zipPath, ZipArchiveMode.Update))
        {
            var manifest = TaskClient.ReadManifest(ReadEntries(archive));
            (var commonName, swappedId) = manifest[1];
            var forged = TestCertificates.IssueDevice(rogue, commonName);
            archive.GetEntry($"{swappedId}_cert.pem")!.Delete();
            TestCertificates.WriteEntry(archive, $"{swappedId}_cert.pem", forged.CertificatePem);
        }

        var run = await RunAsync("verify", zipPath);

        Assert.True(run.ExitCode == ExitCodes.VerificationFailed, run.ToString());
        Assert.Contains($"FAILED {swappedId}", run.Output);
        Assert.Contains("it does not chain to CA 'default'", run.Output);
        Assert.Contains("4 verified, 1 failed", run.Output);
        Assert.Contains("1 of 5 certificates failed verification", run.Error);
    }

    [Fact]
    public async Task CasListsAndPrintsChains()
    {
        var list = await RunAsync("cas");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("Acme Devices Supplier CA", list.Output);
        Assert.Contains(BulkCertsAppFixture.SupplierId, list.Output);
        Assert.Contains("default", list.Output);

        var details = await RunAsync("cas", BulkCertsAppFixture.SupplierAlias);
        Assert.True(details.ExitCode == 0, details.ToString());
        Assert.Matches(@"Suppliers\s+Acme-Devices", details.Output);
        Assert.Contains("SHA-256", details.Output);

        var pem = await RunAsync("cas", BulkCertsAppFixture.SupplierAlias, "--pem");
        Assert.True(pem.ExitCode == 0, pem.ToString());
        Assert.Equal((await File.ReadAllTextAsync(fixture.SupplierCaCertificatePath)).Trim(), pem.Output.Trim());
    }

    [Fact]
    public async Task WrongApiKeyShowsServerMessage()
    {
        var variables = Variables;
        variables[GlobalOptions.ApiKeyVariable] = "not-the-key-0123456789";

        var run = await CliRunner.RunAsync(variables, null, CancellationToken.None, "cas");

        Assert.Equal(ExitCodes.Unauthorized, run.ExitCode);
        Assert.Contains("failed with 401 Unauthorized: The key in the x-api-key header is not valid", run.Error);
        Assert.Contains("Set BULKCERTS_API_KEY or pass --api-key.", run.Error);
        Assert.DoesNotContain("not-the-key-0123456789", run.Output + run.Error);
    }

    [Theory]
    [InlineData("status 3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f", "Task 3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f was not")]
    [InlineData("download 3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f --out unused.zip", "was not found")]
    [InlineData("cas nobody", "Certificate authority 'nobody' is not configured")]
    public async Task UnknownResourceShowsServerMessage(string commandLine, string message)
    {
        var run = await RunAsync(commandLine.Split(' '));

        Assert.True(run.ExitCode == ExitCodes.NotFound, run.ToString());
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("resume with", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task UnusableSupplierCaShowsServerMessage()
    {
        var run = await RunAsync(
            "create", "-n", "1", "--common-name", "orphan", "--supplier", BulkCertsAppFixture.OrphanSupplierId,
            "--out", Path.Combine(_folder, "orphan.zip"));

        Assert.True(run.ExitCode == ExitCodes.ServerError, run.ToString());
        Assert.Contains("503 Service Unavailable: Certificate authority 'missing-ca' is not configured", run.Error);
    }

    private Task<CliRun> RunAsync(params string[] args) =>
        CliRunner.RunAsync(Variables, null, CancellationToken.None, args);

    private static Dictionary<string, string> ReadZip(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        return ReadEntries(archive);
    }

    private static Dictionary<string, string> ReadEntries(ZipArchive archive) =>
        archive.Entries.ToDictionary(entry => entry.FullName, entry =>
        {
            using var reader = new StreamReader(entry.Open());
            return reader.ReadToEnd();
        });

    /// <summary>Returns each entry's name and content; the zips of two downloads differ in their timestamps.</summary>
    private static List<(string Name, string Content)> ReadEntries(string zipPath)
    {
        using var archive = ZipFile.OpenRead(zipPath);
        return [.. archive.Entries.Select(entry =>
        {
            using var reader = new StreamReader(entry.Open());
            return (entry.FullName, reader.ReadToEnd());
        })];
    }
}
