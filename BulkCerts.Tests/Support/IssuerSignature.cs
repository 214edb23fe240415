using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.Tests.Support;

/// <summary>
/// Checks a certificate's signature against an RSA issuer from the DER structure alone, for
/// certificates whose subject key OpenSSL 3.0 cannot decode (ML-DSA), which openssl verify rejects.
/// </summary>
internal static class IssuerSignature
{
    public static bool IsSignedByRsaIssuer(string certificatePem, X509Certificate2 issuer)
    {
        var der = PemEncoding.Find(certificatePem) is var fields
            ? Convert.FromBase64String(certificatePem[fields.Base64Data])
            : throw new ArgumentException("No PEM block found.", nameof(certificatePem));

        var certificate = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var toBeSigned = certificate.ReadEncodedValue();
        certificate.ReadSequence();
        var signature = certificate.ReadBitString(out _);

        using var publicKey = issuer.GetRSAPublicKey()
            ?? throw new ArgumentException("The issuer has no RSA key.", nameof(issuer));
        return publicKey.VerifyData(toBeSigned.Span, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
