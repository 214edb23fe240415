namespace BulkCerts.Api.Tasks;

/// <summary>
/// How a task's quantity splits into chunks: ids start at 1 and every chunk but the last contains
/// <see cref="ChunkSize"/> certificates.
/// </summary>
public readonly record struct ChunkPlan(int Quantity, int ChunkSize)
{
    public int ChunksTotal => (Quantity + ChunkSize - 1) / ChunkSize;

    /// <summary>Returns the number of certificates in chunk <paramref name="chunkId"/>.</summary>
    public int CountOf(int chunkId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkId, ChunksTotal);
        return chunkId < ChunksTotal ? ChunkSize : Quantity - (ChunksTotal - 1) * ChunkSize;
    }

    /// <summary>Returns the task index, counted from 0, of the first certificate of a chunk.</summary>
    public long FirstIndexOf(int chunkId) => (long)(chunkId - 1) * ChunkSize;
}
