using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.Tests.Support;

/// <summary>Checks on the certificates of a finished task, as its zip delivers them.</summary>
internal static class IssuedCertificates
{
    /// <summary>
    /// Downloads a complete task and checks that it contains exactly <paramref name="quantity"/>
    /// certificates, each with a key, a manifest entry and a serial of its own, and that openssl
    /// verifies every one against the CA.
    /// </summary>
    public static async Task AssertEachIssuedOnceAsync(HttpClient api, string taskId, int quantity, string caPath)
    {
        var entries = await TaskClient.DownloadAsync(api, taskId);
        var manifest = TaskClient.ReadManifest(entries);

        Assert.Equal(quantity, manifest.Count);
        Assert.Equal(quantity, manifest.Select(entry => entry.CertId).Distinct().Count());
        Assert.Equal(quantity, entries.Keys.Count(name => name.EndsWith("_cert.pem", StringComparison.Ordinal)));
        Assert.Equal(quantity, entries.Keys.Count(name => name.EndsWith("_key.pem", StringComparison.Ordinal)));

        var serials = manifest
            .Select(entry => X509Certificate2.CreateFromPem(entries[$"{entry.CertId}_cert.pem"]).SerialNumber)
            .ToHashSet();
        Assert.Equal(quantity, serials.Count);

        await AssertOpensslVerifiesAsync(entries, manifest, caPath);
    }

    public static async Task AssertOpensslVerifiesAsync(
        Dictionary<string, string> entries,
        List<(string CommonName, string CertId)> manifest,
        string caPath)
    {
        var result = await VerifyAsync(entries, manifest, caPath);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(manifest.Count, lines.Length);
        Assert.All(lines, line => Assert.EndsWith(": OK", line));
    }

    /// <summary>
    /// Runs one openssl verify over every device certificate, with the clientAuth purpose, so the
    /// extended key usage is checked too.
    /// </summary>
    public static async Task<OpensslResult> VerifyAsync(
        Dictionary<string, string> entries,
        List<(string CommonName, string CertId)> manifest,
        string caPath)
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-verify-").FullName;
        try
        {
            var files = new List<string> { "verify", "-CAfile", caPath, "-purpose", "sslclient" };
            foreach (var (_, certId) in manifest)
            {
                var fileName = $"{certId}_cert.pem";
                await File.WriteAllTextAsync(Path.Combine(folder, fileName), entries[fileName]);
                files.Add(fileName);
            }

            return await Openssl.RunAsync(folder, [.. files]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
