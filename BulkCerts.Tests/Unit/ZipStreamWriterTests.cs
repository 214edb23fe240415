using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using BulkCerts.Api.Downloads;

namespace BulkCerts.Tests.Unit;

public sealed class ZipStreamWriterTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Readable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public async Task StoredAndDeflatedEntriesReadBack()
    {
        var manifest = string.Concat(Enumerable.Repeat("{\"commonName\": \"device-ü\"},", 5000));

        var archive = await WriteAsync(async zip =>
        {
            zip.AddFile("a_cert.pem", "certificate\n", Readable);
            zip.AddFile("a_key.pem", "private key ü\n", OwnerOnly);
            await using (var stream = zip.OpenDeflatedFile("manifest.json", Readable))
            {
                stream.Write(Encoding.UTF8.GetBytes(manifest));
            }
        });

        var entries = ReadAll(archive);
        Assert.Equal(["a_cert.pem", "a_key.pem", "manifest.json"], entries.Keys);
        Assert.Equal("certificate\n", entries["a_cert.pem"]);
        Assert.Equal("private key ü\n", entries["a_key.pem"]);
        Assert.Equal(manifest, entries["manifest.json"]);
        Assert.True(archive.Length < manifest.Length / 10, $"the manifest was not compressed: {archive.Length} bytes");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task UnzipAcceptsArchiveAndModes()
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-zip-").FullName;
        try
        {
            var path = Path.Combine(folder, "certs.zip");
            await File.WriteAllBytesAsync(path, await WriteAsync(async zip =>
            {
                zip.AddFile("a_cert.pem", "certificate\n", Readable);
                zip.AddFile("a_key.pem", "private key\n", OwnerOnly);
                await using var stream = zip.OpenDeflatedFile("manifest.json", Readable);
                stream.Write("[]"u8);
            }));

            var (exitCode, output) = await RunAsync("unzip", "-o", "-d", folder, path);

            Assert.True(exitCode == 0, output);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(folder, "a_key.pem")));
            Assert.Equal(Readable, File.GetUnixFileMode(Path.Combine(folder, "a_cert.pem")));
            Assert.Equal("[]", await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ManyEntriesGetZip64Records()
    {
        const int Count = 70_000;
        var archive = await WriteAsync(zip =>
        {
            for (var i = 0; i < Count; i++)
            {
                zip.AddFile($"{i:D6}_cert.pem", $"certificate {i}\n", Readable);
            }

            return Task.CompletedTask;
        });

        var entries = ReadAll(archive);
        Assert.Equal(Count, entries.Count);
        Assert.Equal("certificate 69999\n", entries["069999_cert.pem"]);

        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, archive);
            var (exitCode, output) = await RunAsync("unzip", "-tqq", path);
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task SecondEntryWhileOneIsOpenFails()
    {
        await WriteAsync(zip =>
        {
            using var open = zip.OpenDeflatedFile("manifest.json", Readable);

            Assert.Throws<InvalidOperationException>(() => zip.AddFile("late.pem", "x", Readable));
            return Task.CompletedTask;
        });
    }

    /// <summary>Writes an archive into a stream that cannot seek, as a response is, and returns its bytes.</summary>
    private static async Task<byte[]> WriteAsync(Func<ZipStreamWriter, Task> write)
    {
        using var destination = new MemoryStream();
        await using (var buffer = new DrainingBuffer(new ForwardOnlyStream(destination)))
        {
            var zip = new ZipStreamWriter(buffer);
            await write(zip);
            await zip.FinishAsync(CancellationToken.None);
        }

        return destination.ToArray();
    }

    private static Dictionary<string, string> ReadAll(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(entry => entry.FullName, entry =>
        {
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            return reader.ReadToEnd();
        });
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    /// <summary>A stream that only accepts asynchronous writes, as Kestrel's response body does.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : WriteOnlyStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new InvalidOperationException("Synchronous writes are not allowed.");
    }
}
