using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace BulkCerts.Cli.Verification;

/// <summary>One certificate that failed, named by its certId and common name, with every problem found.</summary>
public sealed record CertificateFailure(string CertId, string? CommonName, IReadOnlyList<string> Problems);

/// <summary>The outcome of checking a zip: how many certificates passed, and what failed.</summary>
public sealed record VerificationReport(int Verified, IReadOnlyList<CertificateFailure> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Checks a task's zip as the API writes it: <c>certificate_manifest.json</c> lists each certId,
/// and <c>{certId}_cert.pem</c> and <c>{certId}_key.pem</c> hold its certificate and private key.
/// </summary>
public static class ZipVerifier
{
    public const string ManifestName = "certificate_manifest.json";
    private const string CertificateSuffix = "_cert.pem";
    private const string KeySuffix = "_key.pem";
    private const int BatchSize = 512;

    /// <summary>
    /// Checks every certificate of the manifest with <paramref name="verifier"/>, and fails
    /// certificates that the manifest lists twice or does not list.
    /// </summary>
    public static VerificationReport Verify(
        string zipPath,
        CertificateVerifier verifier,
        CancellationToken cancellationToken)
    {
        using var archive = OpenArchive(zipPath);
        var manifest = ReadManifest(archive, zipPath);
        var failures = new List<CertificateFailure>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var verified = 0;
        foreach (var batch in manifest.Chunk(BatchSize))
        {
            // The archive is read by one thread, and the checks, a millisecond or so each, run in parallel.
            var files = batch
                .Select(entry => (entry.CommonName, entry.CertId, IsFirst: listed.Add(entry.CertId),
                    Certificate: ReadText(archive, entry.CertId + CertificateSuffix),
                    Key: ReadText(archive, entry.CertId + KeySuffix)))
                .ToList();
            var problems = new List<string>[files.Count];
            Parallel.For(
                0,
                files.Count,
                new ParallelOptions { CancellationToken = cancellationToken },
                index => problems[index] = files[index] switch
                {
                    { IsFirst: false } => ["the manifest lists it more than once"],
                    { Certificate: null } => ["its certificate file is missing"],
                    var file => verifier.Check(file.CertId, file.Certificate, file.Key),
                });

            for (var index = 0; index < files.Count; index++)
            {
                if (problems[index].Count == 0)
                {
                    verified++;
                }
                else
                {
                    failures.Add(new(files[index].CertId, files[index].CommonName, problems[index]));
                }
            }
        }

        foreach (var entry in archive.Entries)
        {
            if (entry.FullName.EndsWith(CertificateSuffix, StringComparison.Ordinal)
                && !listed.Contains(entry.FullName[..^CertificateSuffix.Length]))
            {
                failures.Add(new(entry.FullName[..^CertificateSuffix.Length], null, ["the manifest does not list it"]));
            }
        }

        return new VerificationReport(verified, failures);
    }

    /// <summary>Returns the issuer of the manifest's first certificate, or null when the zip has none.</summary>
    public static X500DistinguishedName? ReadFirstIssuer(string zipPath)
    {
        using var archive = OpenArchive(zipPath);
        var manifest = ReadManifest(archive, zipPath);
        if (manifest.Count == 0 || ReadText(archive, manifest[0].CertId + CertificateSuffix) is not { } pem)
        {
            return null;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.IssuerName;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static ZipArchive OpenArchive(string zipPath)
    {
        try
        {
            return ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException exception)
        {
            throw new CliException(
                $"'{zipPath}' is not a valid zip file: {exception.Message}", ExitCodes.VerificationFailed);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Could not read '{zipPath}': {exception.Message}", ExitCodes.FileError);
        }
    }

    private static List<(string CommonName, string CertId)> ReadManifest(ZipArchive archive, string zipPath)
    {
        var text = ReadText(archive, ManifestName)
            ?? throw new CliException($"'{zipPath}' has no {ManifestName}, so its certificates cannot be listed.",
                ExitCodes.VerificationFailed);
        try
        {
            using var json = JsonDocument.Parse(text);
            return [.. json.RootElement.EnumerateArray().Select(entry => (
                entry.GetProperty("commonName").GetString() ?? string.Empty,
                entry.GetProperty("certId").GetString() ?? string.Empty))];
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException
            or KeyNotFoundException)
        {
            throw new CliException(
                $"{ManifestName} in '{zipPath}' is not an array of {{\"commonName\", \"certId\"}} objects: " +
                exception.Message,
                ExitCodes.VerificationFailed);
        }
    }

    private static string? ReadText(ZipArchive archive, string name)
    {
        if (archive.GetEntry(name) is not { } entry)
        {
            return null;
        }

        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }
}
