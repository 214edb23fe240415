using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// The size of the zip that <see cref="ZipChunkBenchmarks"/> writes. The summary is built in the
/// host process, so this column issues and writes a chunk of its own there. Its keys and serial
/// numbers differ from the measured chunk's, so its size is close to, not equal to, the size that
/// the benchmark process prints to the log.
/// </summary>
public sealed class ZipBytesColumn : IColumn
{
    private readonly ConcurrentDictionary<KeyAlgorithm, IssueCertificatesResponse> _chunks = new();

    public string Id => nameof(ZipBytesColumn);

    public string ColumnName => "Bytes/chunk";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Bytes of the zip that holds one chunk of {MicroFixtures.ChunkSize} certificates and keys";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var parameters = benchmarkCase.Parameters;
        if (parameters[nameof(ZipChunkBenchmarks.Level)] is not CompressionLevel level
            || parameters[nameof(ZipChunkBenchmarks.DeviceAlgorithm)] is not KeyAlgorithm algorithm)
        {
            return "-";
        }

        var chunk = _chunks.GetOrAdd(algorithm, IssueChunk);
        return ZipChunkBenchmarks.WriteZip(chunk, level).ToString("N0", CultureInfo.InvariantCulture);
    }

    private static IssueCertificatesResponse IssueChunk(KeyAlgorithm algorithm)
    {
        using var authority = MicroFixtures.CreateAuthority(KeyAlgorithm.Rsa2048);
        return MicroFixtures.IssueChunk(authority, algorithm);
    }
}

/// <summary>Adds <see cref="ZipBytesColumn"/> to a benchmark class's summary.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ZipBytesColumnAttribute : ColumnConfigBaseAttribute
{
    public ZipBytesColumnAttribute()
        : base(new ZipBytesColumn())
    {
    }
}
