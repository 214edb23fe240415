using System.Security.Cryptography;
using System.Text;
using BulkCerts.Api;
using BulkCerts.Api.Storage;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Unit;

public sealed class ResultProtectorTests
{
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("-----BEGIN PRIVATE KEY----- device key");

    [Fact]
    public void RoundTripsUnderOneKey()
    {
        var protector = Create(OldKey);

        var stored = protector.Protect(Secret, "task-a", 3);

        Assert.Equal(Secret, protector.Unprotect(stored, "task-a", 3));
        Assert.Equal(-1, stored.AsSpan().IndexOf("PRIVATE KEY"u8));
    }

    [Fact]
    public void ResultMovedToAnotherChunkFails()
    {
        var protector = Create(OldKey);

        var stored = protector.Protect(Secret, "task-a", 3);

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(stored, "task-b", 3));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(stored, "task-a", 4));
    }

    [Fact]
    public void PasswordDecryptsOnlyAsItsTask()
    {
        var protector = Create(OldKey);

        var stored = protector.ProtectPassword("p12 password", "task-a");

        Assert.Equal("p12 password", protector.UnprotectPassword(stored, "task-a"));
        Assert.Equal(-1, stored.AsSpan().IndexOf("p12 password"u8));
        Assert.ThrowsAny<CryptographicException>(() => protector.UnprotectPassword(stored, "task-b"));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(stored, "task-a", 1));
    }

    [Fact]
    public void ChunkResultIsNoPassword()
    {
        var protector = Create(OldKey);

        var stored = protector.Protect(Secret, "task-a", 1);

        Assert.ThrowsAny<CryptographicException>(() => protector.UnprotectPassword(stored, "task-a"));
    }

    [Fact]
    public void RotatedKeyStillReadsOldResults()
    {
        var stored = Create(OldKey).Protect(Secret, "task-a", 1);

        var rotated = Create(NewKey, OldKey);

        Assert.Equal(Secret, rotated.Unprotect(stored, "task-a", 1));
        Assert.Equal(Secret, Create(NewKey).Unprotect(rotated.Protect(Secret, "task-a", 1), "task-a", 1));
    }

    [Fact]
    public void DroppedKeyNamesTheSetting()
    {
        var stored = Create(OldKey).Protect(Secret, "task-a", 1);

        var error = Assert.ThrowsAny<CryptographicException>(() => Create(NewKey).Unprotect(stored, "task-a", 1));

        Assert.Contains("BulkCerts:PreviousResultEncryptionKeys", error.Message);
    }

    [Fact]
    public void PrefixTellsWhetherKeyIsConfigured()
    {
        var stored = Create(OldKey).Protect(Secret, "task-a", 1);
        var prefix = stored.AsSpan(0, ResultProtector.PrefixLength);

        Assert.True(Create(NewKey, OldKey).HasKeyFor(prefix));
        Assert.False(Create(NewKey).HasKeyFor(prefix));
        Assert.False(Create(NewKey).HasKeyFor([9, 0, 0, 0, 0]));
        Assert.Null(Create(NewKey).HasKeyFor([1, 0, 0, 0, 0]));
    }

    [Fact]
    public void ReadsFirstFormatUnderAnyKey()
    {
        var key = Convert.FromBase64String(OldKey);
        var legacy = new byte[1 + 12 + 16 + Secret.Length];
        legacy[0] = 1;
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(legacy.AsSpan(1, 12), Secret, legacy.AsSpan(29), legacy.AsSpan(13, 16), "task-a/2"u8);
        }

        Assert.Equal(Secret, Create(NewKey, OldKey).Unprotect(legacy, "task-a", 2));
    }

    private static ResultProtector Create(string current, params string[] previous)
    {
        var options = new BulkCertsOptions
        {
            ResultEncryptionKey = current,
            PreviousResultEncryptionKeys = [.. previous],
        };
        var environment = new HostingEnvironment { ContentRootPath = Path.GetTempPath() };
        return new ResultProtector(Options.Create(options), environment);
    }
}
