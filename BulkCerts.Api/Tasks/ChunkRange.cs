namespace BulkCerts.Api.Tasks;

/// <summary>Chunks <see cref="First"/> to <see cref="Last"/> of a task, both included. Chunk ids start at 1.</summary>
public readonly record struct ChunkRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public static ChunkRange Whole(TaskRecord task) => new(1, task.ChunksTotal);

    public static ChunkRange Single(int chunkId) => new(chunkId, chunkId);
}
