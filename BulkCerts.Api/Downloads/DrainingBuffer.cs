namespace BulkCerts.Api.Downloads;

/// <summary>
/// A write-only stream that collects writes in memory until <see cref="DrainAsync"/> copies them
/// to the response asynchronously. The zip writer writes synchronously, and Kestrel rejects
/// synchronous writes, so the writer writes here and the caller drains between entries.
/// </summary>
/// <remarks>
/// With an encoder, such as the CMS encryption of the download, writes pass through the encoder,
/// and what it writes is what collects: the zip streams into it without being held whole.
/// <see cref="CompleteAsync"/> closes the encoder, so it writes its last bytes, and sends them.
/// </remarks>
internal sealed class DrainingBuffer : WriteOnlyStream
{
    private readonly Stream _destination;
    private readonly MemoryStream _pending = new();
    private readonly Stream? _encoder;

    /// <param name="destination">The response.</param>
    /// <param name="encoder">
    /// Opens the stream that writes go through, given the stream it must write its output to; null to
    /// collect writes as they are.
    /// </param>
    public DrainingBuffer(Stream destination, Func<Stream, Stream>? encoder = null)
    {
        _destination = destination;
        _encoder = encoder?.Invoke(new PendingBytes(_pending));
    }

    /// <summary>Bytes collected for the response, after the encoder.</summary>
    public long BufferedBytes => _pending.Length;

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        await _destination.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
    }

    /// <summary>Ends the encoder's output, if there is an encoder, and sends everything collected.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _encoder?.Dispose();
        await DrainAsync(cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_encoder is null)
        {
            _pending.Write(buffer);
        }
        else
        {
            _encoder.Write(buffer);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
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

    /// <summary>
    /// The encoder's output. Closing it leaves the collected bytes alone: encoders close what they
    /// write to when they end, before the last bytes are sent.
    /// </summary>
    private sealed class PendingBytes(MemoryStream pending) : WriteOnlyStream
    {
        public override void Write(byte[] buffer, int offset, int count) => pending.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => pending.Write(buffer);
    }
}
