using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// Cost of writing one chunk into a zip download: a certificate PEM and a key PEM entry per
/// device, written as the Api's ZipDownload writes them, into a stream that only counts bytes.
/// The Bytes/chunk column shows the size of the zip for each compression level.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
[ZipBytesColumn]
public class ZipChunkBenchmarks
{
    private IssueCertificatesResponse _chunk = null!;

    [Params(CompressionLevel.Optimal, CompressionLevel.Fastest, CompressionLevel.NoCompression)]
    public CompressionLevel Level { get; set; }

    [Params(KeyAlgorithm.Rsa2048, KeyAlgorithm.EcP256)]
    public KeyAlgorithm DeviceAlgorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var authority = MicroFixtures.CreateAuthority(KeyAlgorithm.Rsa2048);
        _chunk = MicroFixtures.IssueChunk(authority, DeviceAlgorithm);
        Console.WriteLine($"// Zip of {_chunk.Certificates.Count} {DeviceAlgorithm} certificates at {Level}: " +
            $"{WriteZip(_chunk, Level)} bytes");
    }

    [Benchmark]
    public long WriteChunk() => WriteZip(_chunk, Level);

    /// <summary>Writes the chunk as a zip and returns the number of bytes written.</summary>
    public static long WriteZip(IssueCertificatesResponse chunk, CompressionLevel level)
    {
        // The Api writes to a response stream, which cannot seek, so the zip uses data descriptors.
        var output = new CountingStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var certificate in chunk.Certificates)
            {
                AddEntry(archive, $"{certificate.CertId}_cert.pem", certificate.CertificatePem, level);
                AddEntry(archive, $"{certificate.CertId}_key.pem", certificate.PrivateKeyPem, level);
            }
        }

        return output.BytesWritten;
    }

    private static void AddEntry(ZipArchive archive, string name, string content, CompressionLevel level)
    {
        using var stream = archive.CreateEntry(name, level).Open();
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    /// <summary>A write-only stream that cannot seek and discards what it counts.</summary>
    private sealed class CountingStream : Stream
    {
        public long BytesWritten { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesWritten;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => BytesWritten += count;

        public override void Write(ReadOnlySpan<byte> buffer) => BytesWritten += buffer.Length;

        public override void WriteByte(byte value) => BytesWritten++;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
