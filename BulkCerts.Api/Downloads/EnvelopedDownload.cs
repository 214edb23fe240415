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

    /// <summary>
    /// Encrypts an empty message to a certificate that .NET has read, and returns why that failed, or
    /// null. BouncyCastle checks RSA keys more strictly than .NET, rejecting for example an even
    /// modulus, so only a trial run shows that every later download of the task can be encrypted.
    /// </summary>
    public static string? TryEncryptTo(string recipientCertificatePem)
    {
        try
        {
            using (Open(Stream.Null, recipientCertificatePem))
            {
                // Nothing to write: opening and closing runs the key transport once.
            }

            return null;
        }
        catch (Exception exception) when (exception is ArgumentException or CmsException
            or InvalidOperationException or Org.BouncyCastle.Security.SecurityUtilityException
            or Org.BouncyCastle.Crypto.CryptoException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            // An ArgumentException appends the parameter's name, which means nothing to the client.
            return exception is ArgumentException { ParamName: { } name }
                ? exception.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
                : exception.Message;
        }
    }
}
