using BulkCerts.Cli.Api;
using BulkCerts.Cli.Progress;
using BulkCerts.Cli.Verification;
using Spectre.Console;

namespace BulkCerts.Cli.Commands;

/// <summary>Downloads a complete task's zip and verifies its certificates.</summary>
internal static class TaskResults
{
    private const int MaxFailuresListed = 20;

    /// <summary>
    /// Writes the zip to <paramref name="outPath"/>, then unless <paramref name="verify"/> is false checks
    /// every certificate, and that the zip has <paramref name="expectedCount"/> of them when that is known.
    /// </summary>
    public static async Task<int> DownloadAsync(
        BulkCertsClient client,
        string taskId,
        string outPath,
        bool verify,
        (string? Alias, string? SupplierId) authority,
        long? expectedCount,
        CliEnvironment environment,
        CancellationToken cancellationToken)
    {
        var bytes = await client.DownloadZipAsync(taskId, outPath, cancellationToken);
        var fullPath = Path.GetFullPath(outPath);
        environment.Console.WriteLine($"Downloaded {ProgressText.Number(bytes)} bytes to {fullPath}");
        if (!verify)
        {
            return ExitCodes.Success;
        }

        return await VerifyAsync(client, fullPath, authority, expectedCount, environment, cancellationToken);
    }

    /// <summary>
    /// Checks every certificate of the zip at <paramref name="zipPath"/> against the CA that
    /// <paramref name="authority"/> selects, and prints what failed and a summary.
    /// </summary>
    public static async Task<int> VerifyAsync(
        BulkCertsClient client,
        string zipPath,
        (string? Alias, string? SupplierId) authority,
        long? expectedCount,
        CliEnvironment environment,
        CancellationToken cancellationToken)
    {
        using var verifier = await AuthorityResolver.CreateVerifierAsync(
            client, authority.Alias, authority.SupplierId, zipPath, cancellationToken);
        environment.Console.WriteLine($"Verifying against {verifier.AuthorityName} ({verifier.Authority.Subject})");
        var report = await Task.Run(() => ZipVerifier.Verify(zipPath, verifier, cancellationToken), cancellationToken);
        return PrintReport(report, expectedCount, environment);
    }

    private static int PrintReport(VerificationReport report, long? expectedCount, CliEnvironment environment)
    {
        var console = environment.Console;
        foreach (var failure in report.Failures.Take(MaxFailuresListed))
        {
            var name = failure.CommonName is { Length: > 0 } commonName
                ? $"{failure.CertId} ({commonName})"
                : failure.CertId;
            console.WriteLine($"FAILED {name}: {string.Join("; ", failure.Problems)}");
        }

        if (report.Failures.Count > MaxFailuresListed)
        {
            var more = report.Failures.Count - MaxFailuresListed;
            console.WriteLine($"... and {ProgressText.Number(more)} more failures");
        }

        var failed = report.Failures.Count;
        console.MarkupLine(
            $"[{(failed == 0 ? "green" : "red")}]{ProgressText.Number(report.Verified)} verified, " +
            $"{ProgressText.Number(failed)} failed[/]");

        var total = report.Verified + failed;
        if (expectedCount is { } expected && total != expected)
        {
            CommandActions.WriteError(environment,
                $"The zip contains {ProgressText.Number(total)} certificates, but the task has " +
                $"{ProgressText.Number(expected)}.");
            return ExitCodes.VerificationFailed;
        }

        if (failed > 0)
        {
            CommandActions.WriteError(environment,
                $"{ProgressText.Number(failed)} of {ProgressText.Number(total)} certificates failed verification; " +
                "do not install them.");
            return ExitCodes.VerificationFailed;
        }

        return ExitCodes.Success;
    }
}
