using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BulkCerts.Api.Downloads;
using static BulkCerts.Api.Certificates.JsonFields;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// Reads and checks <c>certInfo.recipientCertificate</c>, the certificate whose key the download is
/// encrypted to: one PEM certificate with an RSA key of at least 2048 bits, valid now, whose key usage,
/// if it has one, allows keyEncipherment.
/// </summary>
public static class RecipientCertificates
{
    public const string Field = "certInfo.recipientCertificate";

    /// <summary>Maximum length of the PEM in characters; a certificate with a 16,384-bit key is shorter.</summary>
    public const int MaxPemLength = 16 * 1024;

    public const int MinRsaKeySize = 2048;

    private const string Expected = "send one PEM certificate (-----BEGIN CERTIFICATE-----) with an RSA key of at " +
        "least 2048 bits";

    /// <summary>Returns null when the field is absent or valid, with the PEM in <paramref name="pem"/>.</summary>
    public static string? Read(JsonElement certInfo, DateTimeOffset now, out string? pem)
    {
        pem = null;
        if (!TryGet(certInfo, "recipientCertificate", out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return $"{Field} {Describe(element)} is not a string; {Expected}.";
        }

        if (!TryGetText(element, out var text))
        {
            return $"{Field} is not valid Unicode text; send it as UTF-8.";
        }

        if (text.Length > MaxPemLength)
        {
            return $"{Field} has {text.Length} characters; the maximum is {MaxPemLength}; {Expected}.";
        }

        // PEM needs line breaks, which the general string check counts among the invisible characters.
        var withoutBreaks = text.Replace("\r", string.Empty, StringComparison.Ordinal)
            .Replace("\n", string.Empty, StringComparison.Ordinal);
        if (FindInvisibleCharacter(withoutBreaks) is { } position)
        {
            return $"{Field} contains the invisible or reserved character U+{(int)withoutBreaks[position]:X4}; " +
                $"{Expected}.";
        }

        return Check(text, now, out pem);
    }

    /// <summary>Checks a PEM certificate; returns null and the PEM when it can be encrypted to.</summary>
    public static string? Check(string text, DateTimeOffset now, out string? pem)
    {
        pem = null;
        var blocks = CountCertificates(text);
        if (blocks != 1)
        {
            return blocks == 0
                ? $"{Field} contains no PEM certificate; {Expected}."
                : $"{Field} contains {blocks} PEM certificates; {Expected}, without its chain.";
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(text);
        }
        catch (CryptographicException exception)
        {
            return $"{Field} is not a readable X.509 certificate ({exception.Message}); {Expected}.";
        }

        using (certificate)
        {
            if (CheckCertificate(certificate, now) is { } problem)
            {
                return problem;
            }

            pem = certificate.ExportCertificatePem() + "\n";
            return null;
        }
    }

    private static string? CheckCertificate(X509Certificate2 certificate, DateTimeOffset now)
    {
        var subject = $"{Field} '{certificate.Subject}'";
        RSA? rsa;
        try
        {
            rsa = certificate.GetRSAPublicKey();
        }
        catch (CryptographicException exception)
        {
            return $"{subject} has an RSA public key that cannot be used ({exception.Message}); {Expected}.";
        }

        using var key = rsa;
        if (rsa is null)
        {
            var algorithm = certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value;
            return $"{subject} has a key of algorithm {algorithm}; only RSA recipients are supported (key " +
                "transport), so use a certificate with an RSA key of at least 2048 bits.";
        }

        if (rsa.KeySize < MinRsaKeySize)
        {
            return $"{subject} has an RSA key of {rsa.KeySize} bits; the minimum is {MinRsaKeySize}.";
        }

        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
        {
            return $"{subject} expired at {certificate.NotAfter.ToUniversalTime():u}; use a current certificate.";
        }

        if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            return $"{subject} is not valid before {certificate.NotBefore.ToUniversalTime():u}; use a current " +
                "certificate.";
        }

        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is not null && !keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment))
        {
            return $"{subject} has a keyUsage of {keyUsage.KeyUsages} without keyEncipherment, so its key may not " +
                "encrypt the download's key; use a certificate whose keyUsage includes keyEncipherment.";
        }

        if (EnvelopedDownload.TryEncryptTo(certificate.ExportCertificatePem()) is { } failure)
        {
            return $"{subject} cannot be encrypted to ({failure}); {Expected}.";
        }

        return null;
    }

    private static int CountCertificates(string text)
    {
        var count = 0;
        for (var index = text.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
             index >= 0;
             index = text.IndexOf("-----BEGIN CERTIFICATE-----", index + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
