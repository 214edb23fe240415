using BulkCerts.Api;
using BulkCerts.Api.Downloads;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.Tests.Support;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BulkCerts.Tests.Unit;

public sealed class ChunkUrlSignerTests
{
    private const string TaskId = "3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f";
    private const string OtherTaskId = "9c1d7e2f-4b3a-4e5d-8f6a-1b2c3d4e5f60";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>A result encryption key of the bytes 1 to 32.</summary>
    private static readonly string ResultKey =
        Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    [Fact]
    public void SignsEachChunkInOrder()
    {
        var signer = CreateDerived(ResultKey, new SettableClock());

        var (paths, expires) = signer.Sign(TaskId, new ChunkRange(1, 3));

        Assert.Equal(3, paths.Count);
        for (var i = 0; i < paths.Count; i++)
        {
            Assert.Matches(
                $"^/certificates/{TaskId}/chunks/{i + 1}\\?expires=1767229200&signature=[A-Za-z0-9_-]{{43}}$",
                paths[i]);
        }

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero), expires);
    }

    [Fact]
    public void DerivedKeySignatureIsStable()
    {
        // Computed independently with: openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:0102...20
        // -kdfopt hexsalt: -kdfopt "info:BulkCerts signed chunk download URL key v1" HKDF, then
        // openssl dgst -sha256 -mac HMAC over the signed text, encoded as base64url without padding.
        var signer = CreateDerived(ResultKey, new SettableClock());

        var (paths, _) = signer.Sign(TaskId, ChunkRange.Single(2));

        Assert.Equal(
            $"/certificates/{TaskId}/chunks/2?expires=1767229200&signature=XiuwN4OzMVsYLYJSBw6qG1Un69hlr2GPjagQKnbBq1Y",
            Assert.Single(paths));
    }

    [Fact]
    public void ReplicaWithSameResultKeyVerifies()
    {
        var clock = new SettableClock();
        var (paths, _) = CreateDerived(ResultKey, clock).Sign(TaskId, ChunkRange.Single(1));
        var otherKey = Convert.ToBase64String(new byte[32]);

        Assert.Equal(SignedUrlStatus.Valid, Verify(CreateDerived(ResultKey, clock), paths[0]).Status);
        Assert.Equal(SignedUrlStatus.Altered, Verify(CreateDerived(otherKey, clock), paths[0]).Status);
    }

    [Fact]
    public void ConfiguredKeyReplacesDerivedKey()
    {
        var clock = new SettableClock();
        var configured = Convert.ToBase64String([.. Enumerable.Repeat((byte)7, 32)]);
        var signer = Create(ResultKey, new SignedUrlOptions { SigningKey = configured }, clock);

        var (paths, _) = signer.Sign(TaskId, ChunkRange.Single(1));

        Assert.Equal(SignedUrlStatus.Valid, Verify(signer, paths[0]).Status);
        Assert.Equal(SignedUrlStatus.Altered, Verify(CreateDerived(ResultKey, clock), paths[0]).Status);
    }

    [Fact]
    public void DerivedKeyDiffersFromResultKey()
    {
        var protector = CreateProtector(ResultKey);

        var derived = protector.DeriveKey(ChunkUrlSigner.KeyDerivationLabel, ChunkUrlSigner.DerivedKeyBytes);

        Assert.Equal(32, derived.Length);
        Assert.NotEqual(Convert.FromBase64String(ResultKey), derived);
        Assert.Equal(derived, CreateProtector(ResultKey).DeriveKey(ChunkUrlSigner.KeyDerivationLabel, 32));
        Assert.NotEqual(derived, protector.DeriveKey("another purpose", 32));
    }

    [Fact]
    public void UrlExpiresAfterLifetime()
    {
        var clock = new SettableClock();
        var signer = CreateDerived(ResultKey, clock);
        var (paths, expires) = signer.Sign(TaskId, ChunkRange.Single(1));

        clock.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(SignedUrlStatus.Valid, Verify(signer, paths[0]).Status);

        clock.Advance(TimeSpan.FromSeconds(1));
        var check = Verify(signer, paths[0]);
        Assert.Equal(SignedUrlStatus.Expired, check.Status);
        Assert.Equal(expires, check.ExpiredAt);
    }

    [Theory]
    [InlineData("signature")]
    [InlineData("chunk")]
    [InlineData("task")]
    [InlineData("expiry")]
    [InlineData("uppercase task")]
    [InlineData("padded chunk")]
    [InlineData("two signatures")]
    public void TamperedUrlIsAltered(string part)
    {
        var clock = new SettableClock();
        var signer = CreateDerived(ResultKey, clock);
        var (taskId, chunkId, expires, signature) = Parse(signer.Sign(TaskId, ChunkRange.Single(1)).Paths[0]);

        var check = part switch
        {
            "signature" => signer.Verify(taskId, chunkId, expires, Flip(signature)),
            "chunk" => signer.Verify(taskId, "2", expires, signature),
            "task" => signer.Verify(OtherTaskId, chunkId, expires, signature),
            "expiry" => signer.Verify(taskId, chunkId, (long.Parse(expires) + 3600).ToString(), signature),
            "uppercase task" => signer.Verify(taskId.ToUpperInvariant(), chunkId, expires, signature),
            "padded chunk" => signer.Verify(taskId, "01", expires, signature),
            _ => signer.Verify(taskId, chunkId, expires, new StringValues([signature, signature])),
        };

        Assert.Equal(SignedUrlStatus.Altered, check.Status);
    }

    [Fact]
    public void AlteredExpiredUrlIsAltered()
    {
        var clock = new SettableClock();
        var signer = CreateDerived(ResultKey, clock);
        var (taskId, chunkId, expires, signature) = Parse(signer.Sign(TaskId, ChunkRange.Single(1)).Paths[0]);

        clock.Advance(Lifetime * 2);

        Assert.Equal(SignedUrlStatus.Altered, signer.Verify(taskId, chunkId, expires, Flip(signature)).Status);
    }

    [Fact]
    public void MissingParameterIsNamed()
    {
        var signer = CreateDerived(ResultKey, new SettableClock());
        var (taskId, chunkId, expires, signature) = Parse(signer.Sign(TaskId, ChunkRange.Single(1)).Paths[0]);

        var noSignature = signer.Verify(taskId, chunkId, expires, StringValues.Empty);
        var emptySignature = signer.Verify(taskId, chunkId, expires, string.Empty);
        var noExpiry = signer.Verify(taskId, chunkId, StringValues.Empty, signature);

        Assert.Equal(new SignedUrlCheck(SignedUrlStatus.Missing, "signature"), noSignature);
        Assert.Equal(new SignedUrlCheck(SignedUrlStatus.Missing, "signature"), emptySignature);
        Assert.Equal(new SignedUrlCheck(SignedUrlStatus.Missing, "expires"), noExpiry);
    }

    /// <summary>Changes the first character, whose six bits all count, so the signature really changes.</summary>
    private static string Flip(string signature) => (signature[0] == 'A' ? 'B' : 'A') + signature[1..];

    private static SignedUrlCheck Verify(ChunkUrlSigner signer, string path)
    {
        var (taskId, chunkId, expires, signature) = Parse(path);
        return signer.Verify(taskId, chunkId, expires, signature);
    }

    private static (string TaskId, string ChunkId, string Expires, string Signature) Parse(string path)
    {
        var match = System.Text.RegularExpressions.Regex.Match(
            path, "^/certificates/([^/]+)/chunks/([^?]+)\\?expires=([^&]+)&signature=(.+)$");
        Assert.True(match.Success, path);
        return (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value);
    }

    private static ChunkUrlSigner CreateDerived(string resultKey, TimeProvider clock) =>
        Create(resultKey, new SignedUrlOptions(), clock);

    private static ChunkUrlSigner Create(string resultKey, SignedUrlOptions options, TimeProvider clock) =>
        new(Options.Create(options), CreateProtector(resultKey), clock);

    private static ResultProtector CreateProtector(string resultKey) => new(
        Options.Create(new BulkCertsOptions { ResultEncryptionKey = resultKey }),
        new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
}
