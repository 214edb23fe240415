using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// Streams a finished task as one zip: <c>{certId}_cert.pem</c> and <c>{certId}_key.pem</c> for
/// each certificate, then <c>certificate_manifest.json</c>. Chunks are read and written one at a
/// time, so memory contains one chunk and the manifest, never the whole task.
/// </summary>
public sealed class ZipDownload(TaskStore tasks, ResultProtector protector, ILogger<ZipDownload> logger)
{
    public const string ManifestFileName = "certificate_manifest.json";

    /// <summary>Bytes collected before they are sent, so the response gets few, large writes.</summary>
    private const int DrainThreshold = 64 * 1024;

    /// <summary>
    /// Checks, before the first byte is sent, that every chunk result exists and was encrypted
    /// under a configured key, so a download never ends in a cut-off zip for these reasons.
    /// </summary>
    public async Task<DownloadReadiness> CheckAsync(TaskRecord task)
    {
        var prefixes = await tasks.GetChunkResultPrefixesAsync(task, ResultProtector.PrefixLength);
        for (var chunkId = 1; chunkId <= prefixes.Length; chunkId++)
        {
            var prefix = prefixes[chunkId - 1];
            if (prefix.Length == 0)
            {
                return DownloadReadiness.Expired;
            }

            var hasKey = protector.HasKeyFor(prefix) ?? await CanDecryptAsync(task.TaskId, chunkId);
            if (!hasKey)
            {
                logger.ResultKeyMissing(task.TaskId, chunkId);
                return DownloadReadiness.KeyMissing;
            }
        }

        return DownloadReadiness.Ready;
    }

    /// <summary>Decrypts a result stored without a key id, to learn whether a configured key reads it.</summary>
    private async Task<bool> CanDecryptAsync(string taskId, int chunkId)
    {
        if (await tasks.GetChunkResultAsync(taskId, chunkId) is not { } stored)
        {
            return true;
        }

        try
        {
            protector.Unprotect(stored, taskId, chunkId);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public async Task WriteAsync(TaskRecord task, Stream output, CancellationToken cancellationToken)
    {
        var manifest = new List<ManifestEntry>(task.Request.Quantity);
        await using var buffer = new DrainingBuffer(output);
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var chunkId = 1; chunkId <= task.ChunksTotal; chunkId++)
            {
                var chunk = await ReadChunkAsync(task.TaskId, chunkId);
                foreach (var certificate in chunk.Certificates)
                {
                    AddEntry(archive, $"{certificate.CertId}_cert.pem", certificate.CertificatePem);
                    AddEntry(archive, $"{certificate.CertId}_key.pem", certificate.PrivateKeyPem);
                    manifest.Add(new ManifestEntry(certificate.CommonName, certificate.CertId));
                    if (buffer.BufferedBytes >= DrainThreshold)
                    {
                        await buffer.DrainAsync(cancellationToken);
                    }
                }
            }

            using var manifestStream = archive.CreateEntry(ManifestFileName, CompressionLevel.Optimal).Open();
            JsonSerializer.Serialize(manifestStream, manifest, StoreJson.Options);
        }

        await buffer.DrainAsync(cancellationToken);
    }

    private async Task<IssueCertificatesResponse> ReadChunkAsync(string taskId, int chunkId)
    {
        var stored = await tasks.GetChunkResultAsync(taskId, chunkId);
        if (stored is null)
        {
            logger.ChunkResultMissing(taskId, chunkId);
            throw new ChunkResultMissingException(taskId, chunkId);
        }

        return IssueCertificatesResponse.Parser.ParseFrom(protector.Unprotect(stored, taskId, chunkId));
    }

    private static void AddEntry(ZipArchive archive, string name, string content)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}

public enum DownloadReadiness
{
    Ready,

    /// <summary>A chunk result has expired or was deleted.</summary>
    Expired,

    /// <summary>A chunk result was encrypted under a key that is no longer configured.</summary>
    KeyMissing,
}

/// <summary>One line of the manifest: a certificate's common name and its certId.</summary>
public sealed record ManifestEntry(string CommonName, string CertId);

/// <summary>A complete task lacks a chunk result, which expired or was deleted.</summary>
public sealed class ChunkResultMissingException(string taskId, int chunkId)
    : Exception($"Task {taskId} has no stored result for chunk {chunkId}.");

internal static partial class DownloadLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Error,
        Message = "Task {TaskId} is complete but the result of chunk {ChunkId} is missing")]
    public static partial void ChunkResultMissing(this ILogger logger, string taskId, int chunkId);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error,
        Message = "Task {TaskId} chunk {ChunkId} was encrypted under a key that is not configured; add the key " +
            "to BulkCerts:PreviousResultEncryptionKeys")]
    public static partial void ResultKeyMissing(this ILogger logger, string taskId, int chunkId);
}
