using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BulkCerts.Api;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.Tasks;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Unit;

public sealed class SigningRequestUploadTests
{
    private static readonly BulkCertsOptions Options = new() { MaxQuantity = 5, DefaultDaysExpiry = 365 };

    private static readonly byte[] FingerprintKey = Enumerable.Range(0, 32).Select(value => (byte)value).ToArray();

    private static readonly string Csr = TestCsrs.Ec(ECCurve.NamedCurves.nistP256, "CN=sensor-1");

    private static readonly string Row = JsonSerializer.Serialize(new { csr = Csr });

    [Fact]
    public async Task UploadWithSettingsLineIsRead()
    {
        var body = "{\"certInfo\": {\"organization\": \"Acme\", \"daysExpiry\": 30}}\n" +
            $"{Row}\r\n\n   \n" +
            JsonSerializer.Serialize(new { csr = Csr, commonName = "row-2", country = "se" });

        var (result, rows, hash) = await ReadAsync(body);

        Assert.Null(result.Error);
        Assert.Equal(2, result.Request!.Quantity);
        Assert.True(result.Request.SignsRequests);
        Assert.Equal("Acme", result.Request.Organization);
        Assert.Equal(30, result.Request.DaysExpiry);
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].SubjectOverride);
        Assert.Equal("row-2", rows[1].SubjectOverride.CommonName.StaticValue);
        Assert.Equal("se", rows[1].SubjectOverride.Country);
        Assert.Equal(Convert.FromBase64String(PemBody(Csr)), rows[0].Der.ToByteArray());
        Assert.Equal(IdempotencyKeys.Fingerprint(FingerprintKey, "/certificates", body), hash);
    }

    [Fact]
    public async Task UndecodablePemStoresEmptyDer()
    {
        var (result, rows, _) = await ReadAsync("{\"csr\": \"garbage\"}");

        Assert.Null(result.Error);
        Assert.True(rows.Single().Der.IsEmpty);
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { $"{Row}\nnot json", "Line 2 is not valid JSON" },
        { $"{Row}\n[1, 2]", "Line 2 is [1, 2] (an array), not a JSON object" },
        { $"{Row}\n{{\"csr\": 5}}", "Line 2: csr 5 is not a string" },
        { $"{Row}\n{{\"csr\": \"x\", \"colour\": \"red\"}}", "Line 2 has the unknown property 'colour'" },
        { $"{Row}\n{{\"certInfo\": {{}}}}", "Line 2 has no csr. Only the first line may hold the task settings" },
        { "{\"quantity\": 3}\n" + Row, "Line 1: quantity cannot be in the settings line" },
        {
            "{\"certInfo\": {\"keyAlgorithm\": \"EC-P256\"}}\n" + Row,
            "Line 1 (the task settings): certInfo.keyAlgorithm"
        },
        { "{\"certinfo\": {}}\n" + Row, "Line 1 has the unknown property 'certinfo'" },
        { $"{Row}\n{{\"csr\": \"x\", \"commonName\": null}}", "Line 2: commonName null is not a string" },
        { "\n\n", "The upload has no certification requests" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedLineNamesItsNumber(string body, string expected)
    {
        var (result, _, _) = await ReadAsync(body);

        Assert.Equal(400, result.Status);
        Assert.StartsWith(expected, result.Error);
    }

    [Fact]
    public async Task TooManyRowsAre413()
    {
        var (result, _, _) = await ReadAsync(string.Join("\n", Enumerable.Repeat(Row, 6)));

        Assert.Equal(413, result.Status);
        Assert.StartsWith("The upload has more than 5 certification requests", result.Error);
    }

    [Fact]
    public async Task OverlongLineIsRejected()
    {
        var (result, _, _) = await ReadAsync($"{{\"csr\": \"{new string('A', SigningRequestUpload.MaxLineBytes)}\"}}");

        Assert.Equal(400, result.Status);
        Assert.StartsWith("Line 1 is longer than 65536 bytes", result.Error);
    }

    [Fact]
    public async Task RowsAreStoredInBatches()
    {
        var options = new BulkCertsOptions { MaxQuantity = 5000 };
        var batches = new List<int>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = string.Join("\n", Enumerable.Repeat("{\"csr\": \"x\"}", 2500));

        var result = await SigningRequestUpload.ReadAsync(
            PipeReader.Create(
                new MemoryStream(Encoding.UTF8.GetBytes(body)), new StreamPipeReaderOptions(bufferSize: 4096)),
            options,
            rows =>
            {
                batches.Add(rows.Count);
                return Task.CompletedTask;
            },
            hash,
            CancellationToken.None);

        Assert.Equal(2500, result.Request!.Quantity);
        Assert.Equal([1000, 1000, 500], batches);
    }

    private static async Task<(ParseResult Result, List<SigningRequest> Rows, string Hash)> ReadAsync(string body)
    {
        var rows = new List<SigningRequest>();
        using var hash = IdempotencyKeys.StartFingerprint(FingerprintKey, "/certificates");

        // A small buffer, so that lines span several reads.
        var reader = PipeReader.Create(
            new MemoryStream(Encoding.UTF8.GetBytes(body)), new StreamPipeReaderOptions(bufferSize: 512));
        var result = await SigningRequestUpload.ReadAsync(
            reader,
            Options,
            batch =>
            {
                rows.AddRange(batch);
                return Task.CompletedTask;
            },
            hash,
            CancellationToken.None);
        return (result, rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static string PemBody(string pem) => pem[PemEncoding.Find(pem).Base64Data];
}
