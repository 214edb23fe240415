using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// Writes a zip archive front to back into a stream that cannot seek. Only the central directory
/// stays in memory, as 46 bytes plus the name for each entry, where <see cref="ZipArchive"/>
/// keeps an object graph of several hundred bytes per entry. Archives with more than 65,535 entries
/// or past 4 GiB get the ZIP64 records that such archives need.
/// </summary>
internal sealed class ZipStreamWriter(DrainingBuffer output)
{
    /// <summary>Bytes collected before they are sent, so the response gets few, large writes.</summary>
    private const int DrainThreshold = 64 * 1024;

    private const ushort VersionNeeded = 20;
    private const ushort VersionNeededZip64 = 45;

    // Upper byte 3: attributes are Unix modes, which unzip applies to the extracted files.
    private const ushort VersionMadeBy = (3 << 8) | VersionNeededZip64;

    private const ushort Utf8NamesFlag = 1 << 11;
    private const ushort DataDescriptorFlag = 1 << 3;
    private const ushort Stored = 0;
    private const ushort Deflated = 8;
    private const uint RegularFile = 0x8000;

    private readonly SegmentedBuffer _centralDirectory = new();
    private readonly (ushort Time, ushort Date) _modified = DosTime(DateTime.Now);
    private long _offset;
    private long _entries;
    private bool _entryOpen;

    /// <summary>Adds an entry stored without compression, with sizes and checksum in its local header.</summary>
    public void AddFile(string name, string content, UnixFileMode mode)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(content.Length));
        try
        {
            AddFile(name, bytes.AsSpan(0, Encoding.UTF8.GetBytes(content, bytes)), mode);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Adds an entry of binary content stored without compression.</summary>
    public void AddFile(string name, ReadOnlySpan<byte> data, UnixFileMode mode)
    {
        EnsureNoOpenEntry();
        var entry = new Entry(name, mode, Stored, DataDescriptor: false, _offset)
        {
            Crc = Crc32.HashToUInt32(data),
            Size = data.Length,
            CompressedSize = data.Length,
        };
        WriteLocalHeader(entry);
        Write(data);
        AddCentralRecord(entry);
    }

    /// <summary>
    /// Opens a deflated entry whose size is not known in advance. Its checksum and sizes follow the
    /// data in a data descriptor. Dispose the stream to end the entry.
    /// </summary>
    public Stream OpenDeflatedFile(string name, UnixFileMode mode)
    {
        EnsureNoOpenEntry();
        var entry = new Entry(name, mode, Deflated, DataDescriptor: true, _offset);
        WriteLocalHeader(entry);
        _entryOpen = true;
        return new DeflatedEntryStream(this, entry);
    }

    /// <summary>Sends what has been written so far once enough has collected.</summary>
    public async ValueTask DrainIfFullAsync(CancellationToken cancellationToken)
    {
        if (output.BufferedBytes >= DrainThreshold)
        {
            await output.DrainAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes the central directory and the end records, and sends everything. The archive is
    /// complete after this.
    /// </summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        EnsureNoOpenEntry();
        var directoryOffset = _offset;
        var directorySize = _centralDirectory.Length;
        foreach (var segment in _centralDirectory.Segments)
        {
            Write(segment.Span);
            await DrainIfFullAsync(cancellationToken);
        }

        WriteEndRecords(directoryOffset, directorySize);
        await output.CompleteAsync(cancellationToken);
    }

    private void WriteEndRecords(long directoryOffset, long directorySize)
    {
        var needsZip64 = _entries >= ushort.MaxValue || directoryOffset >= uint.MaxValue || directorySize >= uint.MaxValue;
        if (needsZip64)
        {
            var zip64EndOffset = _offset;
            Span<byte> zip64End = stackalloc byte[56];
            BinaryPrimitives.WriteUInt32LittleEndian(zip64End, 0x06064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(zip64End[4..], 44);
            BinaryPrimitives.WriteUInt16LittleEndian(zip64End[12..], VersionMadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(zip64End[14..], VersionNeededZip64);
            BinaryPrimitives.WriteUInt32LittleEndian(zip64End[16..], 0);
            BinaryPrimitives.WriteUInt32LittleEndian(zip64End[20..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(zip64End[24..], (ulong)_entries);
            BinaryPrimitives.WriteUInt64LittleEndian(zip64End[32..], (ulong)_entries);
            BinaryPrimitives.WriteUInt64LittleEndian(zip64End[40..], (ulong)directorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(zip64End[48..], (ulong)directoryOffset);
            Write(zip64End);

            Span<byte> locator = stackalloc byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[4..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)zip64EndOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            Write(locator);
        }

        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)Math.Min(_entries, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)Math.Min(_entries, ushort.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)Math.Min(directorySize, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)Math.Min(directoryOffset, uint.MaxValue));
        BinaryPrimitives.WriteUInt16LittleEndian(end[20..], 0);
        Write(end);
    }

    private void EnsureNoOpenEntry()
    {
        if (_entryOpen)
        {
            throw new InvalidOperationException("Dispose the stream of the open entry before writing another.");
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        _offset += bytes.Length;
    }

    private void WriteLocalHeader(Entry entry)
    {
        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], Flags(entry));
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], entry.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], _modified.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], _modified.Date);

        // With a data descriptor, checksum and sizes are zero here and follow the data.
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], entry.DataDescriptor ? 0 : entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], entry.DataDescriptor ? 0 : (uint)entry.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], entry.DataDescriptor ? 0 : (uint)entry.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)entry.EncodedName.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], 0);
        Write(header);
        Write(entry.EncodedName);
        entry.DataOffset = _offset;
    }

    private void WriteDataDescriptor(Entry entry)
    {
        Span<byte> descriptor = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[4..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[8..], (uint)entry.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[12..], (uint)entry.Size);
        Write(descriptor);
    }

    private void AddCentralRecord(Entry entry)
    {
        if (entry.Size >= uint.MaxValue || entry.CompressedSize >= uint.MaxValue)
        {
            // Entries here are PEM, DER and PKCS#12 files and a manifest, and none comes near 4 GiB.
            throw new NotSupportedException($"Zip entry {entry.Name} is 4 GiB or larger.");
        }

        var name = entry.EncodedName;
        var zip64Offset = entry.Offset >= uint.MaxValue;
        Span<byte> record = stackalloc byte[46 + 12];
        BinaryPrimitives.WriteUInt32LittleEndian(record, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(record[4..], VersionMadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(record[6..], zip64Offset ? VersionNeededZip64 : VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(record[8..], Flags(entry));
        BinaryPrimitives.WriteUInt16LittleEndian(record[10..], entry.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(record[12..], _modified.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(record[14..], _modified.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], entry.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(record[20..], (uint)entry.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(record[24..], (uint)entry.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(record[28..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(record[30..], (ushort)(zip64Offset ? 12 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(record[32..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(record[34..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(record[36..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(record[38..], (RegularFile | (uint)entry.Mode) << 16);
        BinaryPrimitives.WriteUInt32LittleEndian(record[42..], (uint)Math.Min(entry.Offset, uint.MaxValue));
        _centralDirectory.Write(record[..46]);
        _centralDirectory.Write(name);
        if (zip64Offset)
        {
            // The ZIP64 extra field contains only the values set to 0xFFFFFFFF above: here the offset.
            // NOTE: no test writes 4 GiB to reach this; the layout follows the ZIP specification 4.5.3.
            BinaryPrimitives.WriteUInt16LittleEndian(record[46..], 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(record[48..], 8);
            BinaryPrimitives.WriteUInt64LittleEndian(record[50..], (ulong)entry.Offset);
            _centralDirectory.Write(record[46..]);
        }

        _entries++;
    }

    private static ushort Flags(Entry entry) =>
        (ushort)(Utf8NamesFlag | (entry.DataDescriptor ? DataDescriptorFlag : 0));

    /// <summary>Converts a local time to the MS-DOS date and time that zip headers use, at 2-second precision.</summary>
    private static (ushort Time, ushort Date) DosTime(DateTime time)
    {
        time = time.Year < 1980 ? new DateTime(1980, 1, 1) : time;
        var dosTime = (ushort)((time.Hour << 11) | (time.Minute << 5) | (time.Second / 2));
        var dosDate = (ushort)(((time.Year - 1980) << 9) | (time.Month << 5) | time.Day);
        return (dosTime, dosDate);
    }

    private sealed record Entry(string Name, UnixFileMode Mode, ushort Method, bool DataDescriptor, long Offset)
    {
        /// <summary>The name as UTF-8, encoded once for the local header and the central directory.</summary>
        public byte[] EncodedName { get; } = Encoding.UTF8.GetBytes(Name);

        /// <summary>Position of the entry's data in the archive, just after its local header.</summary>
        public long DataOffset { get; set; }

        public uint Crc { get; set; }

        public long Size { get; set; }

        public long CompressedSize { get; set; }
    }

    /// <summary>Compresses what is written into the archive, and ends the entry when disposed.</summary>
    private sealed class DeflatedEntryStream : WriteOnlyStream
    {
        private readonly ZipStreamWriter _writer;
        private readonly Entry _entry;
        private readonly Crc32 _crc = new();
        private readonly DeflateStream _deflate;
        private bool _disposed;

        public DeflatedEntryStream(ZipStreamWriter writer, Entry entry)
        {
            _writer = writer;
            _entry = entry;
            _deflate = new DeflateStream(new CountingStream(writer), CompressionLevel.Optimal, leaveOpen: false);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _crc.Append(buffer);
            _entry.Size += buffer.Length;
            _deflate.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // The archive's buffer is in memory; the caller sends it with DrainIfFullAsync.
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
            // The compressor writes whole blocks as it fills them, and a flush here would cut them short.
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                _deflate.Dispose();
                _entry.Crc = _crc.GetCurrentHashAsUInt32();
                _entry.CompressedSize = _writer._offset - _entry.DataOffset;
                _writer.WriteDataDescriptor(_entry);
                _writer.AddCentralRecord(_entry);
                _writer._entryOpen = false;
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Passes the compressor's output to the archive, which counts it.</summary>
    private sealed class CountingStream(ZipStreamWriter writer) : WriteOnlyStream
    {
        public override void Write(byte[] buffer, int offset, int count) => writer.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(buffer);
    }

    /// <summary>Bytes kept in blocks of 1 MiB, so a large central directory needs no single large array.</summary>
    private sealed class SegmentedBuffer
    {
        private const int SegmentSize = 1024 * 1024;
        private readonly List<byte[]> _segments = [];
        private int _used = SegmentSize;

        public long Length { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                if (_used == SegmentSize)
                {
                    _segments.Add(new byte[SegmentSize]);
                    _used = 0;
                }

                var count = Math.Min(bytes.Length, SegmentSize - _used);
                bytes[..count].CopyTo(_segments[^1].AsSpan(_used));
                _used += count;
                Length += count;
                bytes = bytes[count..];
            }
        }

        public IEnumerable<ReadOnlyMemory<byte>> Segments => _segments.Select(
            (segment, index) => (ReadOnlyMemory<byte>)segment.AsMemory(0, index == _segments.Count - 1 ? _used : SegmentSize));
    }
}
