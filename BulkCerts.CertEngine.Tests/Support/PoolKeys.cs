using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.V1;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>Creates RSA key pools, and fills them with keys whose public keys the test compares.</summary>
internal static class PoolKeys
{
    public static RsaKeyPool CreatePool(bool enabled = true, int rsa2048 = 3) =>
        new(Options.Create(new KeyPoolOptions { Enabled = enabled, Rsa2048 = rsa2048 }));

    /// <summary>Adds <paramref name="count"/> new RSA-2048 keys and returns their public keys as hex.</summary>
    public static HashSet<string> Add(RsaKeyPool pool, int count)
    {
        var publicKeys = new HashSet<string>();
        for (var i = 0; i < count; i++)
        {
            var key = DeviceKeyGenerator.Generate(KeyAlgorithm.Rsa2048);
            publicKeys.Add(Convert.ToHexString(key.PublicKey.ExportSubjectPublicKeyInfo()));
            Assert.True(pool.TryAdd(KeyAlgorithm.Rsa2048, key), $"The pool rejected key {i + 1} of {count}.");
        }

        return publicKeys;
    }

    /// <summary>Returns the public key of an issued certificate as hex.</summary>
    public static string PublicKeyOf(IssuedCertificate issued)
    {
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        return Convert.ToHexString(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, and fails the test after 60 seconds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string description)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), $"Timed out waiting until {description}.");
    }
}
