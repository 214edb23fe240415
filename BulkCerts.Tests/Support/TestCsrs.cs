using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.Tests.Support;

/// <summary>PEM certification requests as devices send them, made with .NET or the openssl command line.</summary>
internal static class TestCsrs
{
    public static string Rsa(int bits, string subject)
    {
        using var key = RSA.Create(bits);
        return Pem(new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static string Ec(ECCurve curve, string subject)
    {
        using var key = ECDsa.Create(curve);
        return Pem(new CertificateRequest(subject, key, HashAlgorithmName.SHA256));
    }

    /// <summary>
    /// Creates an Ed25519 request with <c>openssl req</c>, <paramref name="subject"/> in its /C=../CN=.. form.
    /// </summary>
    public static async Task<string> Ed25519Async(string subject)
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-csr-").FullName;
        try
        {
            var key = await Openssl.RunAsync(folder, "genpkey", "-algorithm", "ed25519", "-out", "key.pem");
            Assert.True(key.ExitCode == 0, key.Error);
            var request = await Openssl.RunAsync(
                folder, "req", "-new", "-key", "key.pem", "-subj", subject, "-out", "request.pem");
            Assert.True(request.ExitCode == 0, request.Error);
            return await File.ReadAllTextAsync(Path.Combine(folder, "request.pem"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Returns the request with the last byte of its signature changed.</summary>
    public static string WithCorruptSignature(string pem)
    {
        var der = PemEncoding.Find(pem) is var fields ? Convert.FromBase64String(pem[fields.Base64Data]) : [];
        der[^1] ^= 0x01;
        return PemEncoding.WriteString("CERTIFICATE REQUEST", der);
    }

    private static string Pem(CertificateRequest request) =>
        PemEncoding.WriteString("CERTIFICATE REQUEST", request.CreateSigningRequest()) + "\n";
}
