using BulkCerts.Cli.Api;
using BulkCerts.Cli.Progress;

namespace BulkCerts.Tests.Unit.Cli;

public sealed class TaskProgressTests
{
    [Fact]
    public void StatusFieldsTakePrecedenceOverChunks()
    {
        var status = Status("in_progress", chunksPending: 9, chunksTotal: 10) with
        {
            Quantity = 1000,
            CertificatesIssued = 420,
            PercentComplete = 42,
        };

        var progress = TaskProgress.From(status, requestedQuantity: 5);

        Assert.Equal(0.42, progress.Fraction, precision: 6);
        Assert.Equal(420, progress.Issued);
        Assert.Equal(1000, progress.Total);
    }

    [Fact]
    public void ChunksEstimateProgressWithoutNewFields()
    {
        var status = Status("in_progress", chunksPending: 3, chunksTotal: 4);

        var progress = TaskProgress.From(status, requestedQuantity: 350);

        Assert.Equal(0.25, progress.Fraction, precision: 6);
        Assert.Equal(88, progress.Issued);
        Assert.Equal(350, progress.Total);
    }

    [Fact]
    public void UnknownQuantityLeavesCountsOut()
    {
        var progress = TaskProgress.From(Status("pending", chunksPending: 2, chunksTotal: 2), requestedQuantity: null);

        Assert.Equal(0, progress.Fraction);
        Assert.Null(progress.Issued);
        Assert.Null(progress.Total);
        Assert.Equal("time left unknown", ProgressText.Describe(progress, new ProgressEstimator()).Split(", ")[^1]);
    }

    [Fact]
    public void CompleteTaskIsWhole()
    {
        var progress = TaskProgress.From(Status("complete", chunksPending: 1, chunksTotal: 2), requestedQuantity: 200);

        Assert.Equal(1, progress.Fraction);
        Assert.Equal(200, progress.Issued);
    }

    [Fact]
    public void CompleteTaskOmitsUnknownFigures()
    {
        var estimator = new ProgressEstimator();
        var progress = TaskProgress.From(Status("complete", chunksPending: 0, chunksTotal: 2), requestedQuantity: null);
        estimator.Add(TimeSpan.Zero, progress);

        Assert.Equal(string.Empty, ProgressText.Describe(progress, estimator));
    }

    [Fact]
    public void EstimatorAveragesSinceFirstSample()
    {
        var estimator = new ProgressEstimator();
        estimator.Add(TimeSpan.FromSeconds(0), new TaskProgress("pending", 0, 0, 1000));
        estimator.Add(TimeSpan.FromSeconds(2), new TaskProgress("in_progress", 0.1, 100, 1000));
        estimator.Add(TimeSpan.FromSeconds(4), new TaskProgress("in_progress", 0.25, 250, 1000));

        Assert.Equal(62.5, estimator.CertificatesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(12), estimator.Remaining);
        Assert.Equal(
            "250 of 1,000 certificates, 63 certs/s, about 12 s left",
            ProgressText.Describe(new TaskProgress("in_progress", 0.25, 250, 1000), estimator));
    }

    [Fact]
    public void EstimatorWaitsForMovement()
    {
        var estimator = new ProgressEstimator();
        estimator.Add(TimeSpan.FromSeconds(0), new TaskProgress("pending", 0, 0, 1000));
        estimator.Add(TimeSpan.FromSeconds(3), new TaskProgress("pending", 0, 0, 1000));

        Assert.Null(estimator.CertificatesPerSecond);
        Assert.Null(estimator.Remaining);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(6.2, "7 s")]
    [InlineData(125, "2 min 05 s")]
    [InlineData(3780, "1 h 03 min")]
    public void DurationRoundsUpToSeconds(double seconds, string expected)
    {
        Assert.Equal(expected, ProgressText.Duration(TimeSpan.FromSeconds(seconds)));
    }

    private static TaskStatusBody Status(string status, int chunksPending, int chunksTotal) =>
        new("3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f", status, 1_796_402_611_077, chunksPending, chunksTotal);
}
