using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.Http;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// Streams a range of chunks of a finished task, the whole task or one chunk, as one zip:
/// <c>{certId}_cert.pem</c> and <c>{certId}_key.pem</c> for each certificate (or the task's
/// other format: <c>{certId}_cert.pem</c> and <c>{certId}.p12</c>, or <c>{certId}_cert.der</c> and
/// <c>{certId}_key.der</c>), then <c>certificate_manifest.json</c> listing the certificates of the
/// range. A task that signs certification requests has no keys, and its zip adds <c>errors.json</c>
/// with the rows of the range that could not be signed. With a recipient certificate the zip is
/// encrypted to it as it is written. Chunks are read and
/// written one at a time, so memory contains two chunks and the zip's central directory, never
/// the whole task.
/// PEM entries are stored without compression: they are base64 of random bytes, which deflate
/// shrank by about 14 % in a measurement, at three times the processor time of the whole download.
/// </summary>
public sealed class ZipDownload(TaskStore tasks, ResultProtector protector, ILogger<ZipDownload> logger)
{
    public const string ManifestFileName = "certificate_manifest.json";

    public const string ErrorsFileName = "errors.json";

    public static readonly ActivitySource ActivitySource = new("BulkCerts.Api.Downloads");

    // Private keys are readable by their owner only once unzip applies the modes in the archive.
    private const UnixFileMode PrivateKeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode CertificateMode = PrivateKeyMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static readonly JsonEncodedText CommonNameProperty = JsonEncodedText.Encode("commonName");
    private static readonly JsonEncodedText CertIdProperty = JsonEncodedText.Encode("certId");
    private static readonly JsonEncodedText RowProperty = JsonEncodedText.Encode("row");
    private static readonly JsonEncodedText ReasonProperty = JsonEncodedText.Encode("reason");

    /// <summary>
    /// Returns the content type and file name of a download named <paramref name="name"/>: a zip, or
    /// for a task with a recipient certificate the zip encrypted to it.
    /// </summary>
    public static (string ContentType, string FileName) DescribeFile(TaskRecord task, string name) =>
        task.Request.RecipientCertificate is null
            ? (MediaTypes.Zip, $"{name}.zip")
            : (EnvelopedDownload.MediaType, name + EnvelopedDownload.FileExtension);

    /// <summary>
    /// Checks, before the first byte is sent, that every chunk result of the range exists and was
    /// encrypted under a configured key, so a download never ends in a cut-off zip for these reasons.
    /// </summary>
    public async Task<DownloadReadiness> CheckAsync(TaskRecord task, ChunkRange chunks)
    {
        var prefixes = await tasks.GetChunkResultPrefixesAsync(task.TaskId, chunks, ResultProtector.PrefixLength);
        for (var chunkId = chunks.First; chunkId <= chunks.Last; chunkId++)
        {
            var prefix = prefixes[chunkId - chunks.First];
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

    public async Task WriteAsync(
        TaskRecord task,
        ChunkRange chunks,
        Stream output,
        CancellationToken cancellationToken)
    {
        // The download is a request of its own, so its span links to the trace that created the task.
        ActivityLink[] links = task.TraceContext == default ? [] : [new ActivityLink(task.TraceContext)];
        using var activity = ActivitySource.StartActivity(
            "bulkcerts.zip write", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("bulkcerts.task_id", task.TaskId);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TaskId"] = task.TaskId });

        var recipient = task.Request.RecipientCertificate;
        await using var buffer = recipient is null
            ? new DrainingBuffer(output)
            : new DrainingBuffer(output, encrypted => EnvelopedDownload.Open(encrypted, recipient));
        var zip = new ZipStreamWriter(buffer);
        var certificates = 0;
        var format = task.Request.OutputFormat;

        // Rows that could not be signed, by task row from 1, kept for errors.json at the end. Each takes about
        // 100 bytes, so a task of 100,000 rejected requests needs about 10 MB.
        var errors = new List<(long Row, string Reason)>();
        await foreach (var chunk in ReadChunksAsync(task.TaskId, chunks))
        {
            foreach (var certificate in chunk.Certificates)
            {
                if (certificate.Error.Length > 0)
                {
                    errors.Add((certificate.Index + 1, certificate.Error));
                    continue;
                }

                AddCertificate(zip, certificate, format);
                certificates++;
                await zip.DrainIfFullAsync(cancellationToken);
            }
        }

        // A second pass over the chunks writes the manifest, so it never has to be held in memory.
        await using (var manifest = zip.OpenDeflatedFile(ManifestFileName, CertificateMode))
        await using (var json = new Utf8JsonWriter(manifest))
        {
            json.WriteStartArray();
            await foreach (var chunk in ReadChunksAsync(task.TaskId, chunks))
            {
                foreach (var certificate in chunk.Certificates)
                {
                    if (certificate.Error.Length > 0)
                    {
                        continue;
                    }

                    json.WriteStartObject();
                    json.WriteString(CommonNameProperty, certificate.CommonName);
                    json.WriteString(CertIdProperty, certificate.CertId);
                    if (task.Request.SignsRequests)
                    {
                        json.WriteNumber(RowProperty, certificate.Index + 1);
                    }

                    json.WriteEndObject();
                }

                await json.FlushAsync(cancellationToken);
                await zip.DrainIfFullAsync(cancellationToken);
            }

            json.WriteEndArray();
        }

        if (task.Request.SignsRequests)
        {
            await WriteErrorsAsync(zip, errors, cancellationToken);
        }

        await zip.FinishAsync(cancellationToken);
        activity?.SetTag("bulkcerts.certificates", certificates);
        logger.ZipWritten(task.TaskId, certificates, chunks.Count);
    }

    /// <summary>Adds the files of one certificate in the task's format.</summary>
    private static void AddCertificate(ZipStreamWriter zip, IssuedCertificate certificate, FileFormat format)
    {
        switch (format)
        {
            case FileFormat.Pkcs12:
                zip.AddFile($"{certificate.CertId}_cert.pem", certificate.CertificatePem, CertificateMode);
                zip.AddFile($"{certificate.CertId}.p12", certificate.Pkcs12.Span, PrivateKeyMode);
                break;
            case FileFormat.Der:
                AddDer(zip, $"{certificate.CertId}_cert.der", certificate.CertificatePem, CertificateMode);
                if (certificate.PrivateKeyPem.Length > 0)
                {
                    AddDer(zip, $"{certificate.CertId}_key.der", certificate.PrivateKeyPem, PrivateKeyMode);
                }

                break;
            default:
                zip.AddFile($"{certificate.CertId}_cert.pem", certificate.CertificatePem, CertificateMode);
                if (certificate.PrivateKeyPem.Length > 0)
                {
                    zip.AddFile($"{certificate.CertId}_key.pem", certificate.PrivateKeyPem, PrivateKeyMode);
                }

                break;
        }
    }

    /// <summary>
    /// Adds the DER of the first PEM block: the device certificate, before any chain, or the private
    /// key in the form its label names (PKCS#8, or PKCS#1 for RSA). Key bytes are wiped afterwards.
    /// </summary>
    private static void AddDer(ZipStreamWriter zip, string name, string pem, UnixFileMode mode)
    {
        var fields = PemEncoding.Find(pem);
        var base64 = pem.AsSpan()[fields.Base64Data];
        var buffer = ArrayPool<byte>.Shared.Rent(fields.DecodedDataLength);
        try
        {
            if (!Convert.TryFromBase64Chars(base64, buffer, out var length))
            {
                throw new FormatException($"Zip entry {name} has no valid base64 in its stored PEM.");
            }

            zip.AddFile(name, buffer.AsSpan(0, length), mode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, fields.DecodedDataLength));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes errors.json: an array of <c>{"row": N, "reason": "..."}</c>, empty when every row was signed.
    /// </summary>
    private static async Task WriteErrorsAsync(
        ZipStreamWriter zip,
        List<(long Row, string Reason)> errors,
        CancellationToken cancellationToken)
    {
        await using (var entry = zip.OpenDeflatedFile(ErrorsFileName, CertificateMode))
        await using (var json = new Utf8JsonWriter(entry))
        {
            json.WriteStartArray();
            foreach (var (row, reason) in errors)
            {
                json.WriteStartObject();
                json.WriteNumber(RowProperty, row);
                json.WriteString(ReasonProperty, reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            await json.FlushAsync(cancellationToken);
        }

        await zip.DrainIfFullAsync(cancellationToken);
    }

    /// <summary>
    /// Reads the chunks of the range in order, fetching and decrypting the next one while the caller
    /// writes the current one.
    /// </summary>
    private async IAsyncEnumerable<IssueCertificatesResponse> ReadChunksAsync(string taskId, ChunkRange chunks)
    {
        var next = chunks.Count >= 1 ? ReadChunkAsync(taskId, chunks.First) : null;
        for (var chunkId = chunks.First; next is not null; chunkId++)
        {
            var current = await next;
            next = chunkId < chunks.Last ? ReadChunkAsync(taskId, chunkId + 1) : null;
            yield return current;
        }
    }

    private async Task<IssueCertificatesResponse> ReadChunkAsync(string taskId, int chunkId)
    {
        var stored = await tasks.GetChunkResultAsync(taskId, chunkId);
        if (stored is null)
        {
            logger.ChunkResultMissing(taskId, chunkId);
            throw new ChunkResultMissingException(taskId, chunkId);
        }

        // A pooled buffer, wiped after use, as in the dispatcher: a chunk is often over 85 KB.
        var buffer = ArrayPool<byte>.Shared.Rent(stored.Length);
        try
        {
            var length = protector.Unprotect(stored, taskId, chunkId, buffer);
            return IssueCertificatesResponse.Parser.ParseFrom(buffer.AsSpan(0, length));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, stored.Length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    [LoggerMessage(EventId = 402, Level = LogLevel.Information,
        Message = "Issued {Count} signed download URLs for task {TaskId} to {Credential}, valid until {Expires:u}")]
    public static partial void SignedUrlsIssued(
        this ILogger logger,
        string taskId,
        int count,
        string credential,
        DateTimeOffset expires);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information,
        Message = "Rejected a signed download URL of task {TaskId} chunk {ChunkId} from {Address}: {Status}")]
    public static partial void SignedUrlRejected(
        this ILogger logger,
        string taskId,
        string chunkId,
        SignedUrlStatus status,
        string? address);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information,
        Message = "Task {TaskId} downloaded: {Certificates} certificates from {Chunks} chunks")]
    public static partial void ZipWritten(this ILogger logger, string taskId, int certificates, int chunks);
}
