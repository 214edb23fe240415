using BulkCerts.Api.Tasks;

namespace BulkCerts.Tests.Unit;

public sealed class ChunkPlanTests
{
    [Theory]
    [InlineData(1000, 50, 20, 50)]
    [InlineData(1015, 50, 21, 15)]
    [InlineData(250, 100, 3, 50)]
    [InlineData(100, 100, 1, 100)]
    [InlineData(1, 100, 1, 1)]
    [InlineData(100_000, 100, 1000, 100)]
    public void SplitsQuantityIntoChunks(int quantity, int chunkSize, int expectedChunks, int expectedLast)
    {
        var plan = new ChunkPlan(quantity, chunkSize);

        Assert.Equal(expectedChunks, plan.ChunksTotal);
        Assert.Equal(expectedLast, plan.CountOf(plan.ChunksTotal));
        Assert.Equal(quantity, Enumerable.Range(1, plan.ChunksTotal).Sum(plan.CountOf));
    }

    [Fact]
    public void EveryChunkButTheLastIsFull()
    {
        var plan = new ChunkPlan(1015, 50);

        Assert.All(Enumerable.Range(1, 20), chunkId => Assert.Equal(50, plan.CountOf(chunkId)));
    }

    [Fact]
    public void FirstIndexContinuesAcrossChunks()
    {
        var plan = new ChunkPlan(1015, 50);

        Assert.Equal(0, plan.FirstIndexOf(1));
        Assert.Equal(50, plan.FirstIndexOf(2));
        Assert.Equal(1000, plan.FirstIndexOf(21));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(22)]
    public void RejectsChunkIdOutsideTask(int chunkId)
    {
        var plan = new ChunkPlan(1015, 50);

        Assert.Throws<ArgumentOutOfRangeException>(() => plan.CountOf(chunkId));
    }
}
