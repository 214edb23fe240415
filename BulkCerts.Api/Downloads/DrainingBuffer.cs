namespace BulkCerts.Api.Downloads;

/// <summary>
/// A write-only stream that collects writes in memory until <see cref="DrainAsync"/> copies them
/// to the response asynchronously. The zip writer writes synchronously, and Kestrel rejects
/// synchronous writes, so the writer writes here and the caller drains between entries.
/// </summary>
internal sealed class DrainingBuffer(Stream destination) : WriteOnlyStream
{
    private readonly MemoryStream _pending = new();

    public long BufferedBytes => _pending.Length;

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        await destination.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _pending.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
