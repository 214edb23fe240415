using System.Security.Cryptography;
using Google.Protobuf;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// Takes the DER out of a PEM certification request. Only the framing is checked here; the
/// CertEngine reads the request itself, and reports one it cannot sign as a row error.
/// </summary>
internal static class SigningRequestPem
{
    public static readonly string[] Labels = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];

    /// <summary>
    /// Returns the DER of the one PEM block labelled CERTIFICATE REQUEST or NEW CERTIFICATE REQUEST,
    /// or empty when there is none or more than one, so that the CertEngine rejects the row rather
    /// than sign one request of several.
    /// </summary>
    public static ByteString Decode(string pem)
    {
        var text = pem.AsSpan();
        ByteString? found = null;
        while (PemEncoding.TryFind(text, out var fields))
        {
            var label = text[fields.Label];
            if (label.SequenceEqual(Labels[0]) || label.SequenceEqual(Labels[1]))
            {
                if (found is not null)
                {
                    return ByteString.Empty;
                }

                var der = new byte[fields.DecodedDataLength];
                found = Convert.TryFromBase64Chars(text[fields.Base64Data], der, out var written)
                    ? UnsafeByteOperations.UnsafeWrap(der.AsMemory(0, written))
                    : ByteString.Empty;
            }

            text = text[fields.Location.End..];
        }

        return found ?? ByteString.Empty;
    }
}
