using System.Text;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.X509;

namespace BulkCerts.Api.Downloads;

/// <summary>
/// Encrypts a download to the task's recipient certificate as CMS EnvelopedData (RFC 5652): a random
/// AES-256-CBC content key, transported under the recipient's RSA key. The generator writes BER with
/// indefinite lengths, so the zip streams through it and is never held whole; <c>openssl cms -decrypt
/// -inform DER</c> reads the result.
/// </summary>
internal static class EnvelopedDownload
{
    public const string MediaType = "application/pkcs7-mime; smime-type=enveloped-data";

    public const string FileExtension = ".p7m";

    /// <summary>Bytes of content in each BER octet string the generator writes.</summary>
    private const int SegmentSize = 16 * 1024;

    /// <summary>
    /// Opens the stream that encrypts what is written to it into <paramref name="output"/>. Dispose it
    /// to write the end of the message.
    /// </summary>
    public static Stream Open(Stream output, string recipientCertificatePem)
    {
        var pem = Encoding.ASCII.GetBytes(recipientCertificatePem);
        var certificate = new X509CertificateParser().ReadCertificate(pem)
            ?? throw new InvalidOperationException(
                "The recipient certificate stored with the task is not a readable PEM certificate.");
        var generator = new CmsEnvelopedDataStreamGenerator();
        generator.SetBufferSize(SegmentSize);
        generator.AddKeyTransRecipient(certificate);
        return generator.Open(output, CmsEnvelopedGenerator.Aes256Cbc);
    }
}
