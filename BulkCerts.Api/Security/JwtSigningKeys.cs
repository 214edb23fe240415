using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace BulkCerts.Api.Security;

/// <summary>Reads the token signing keys of <c>BulkCerts:Auth:Jwt:SigningKeys</c>.</summary>
internal static class JwtSigningKeys
{
    public const int MinSecretBytes = 32;

    public const string Rule = "use base64 of an HMAC secret of at least 32 bytes " +
        "(openssl rand -base64 32) or a PEM RSA or EC public key.";

    public static bool TryRead(string text, out SecurityKey? key)
    {
        key = null;
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return TryReadPem(text, out key);
        }

        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written < MinSecretBytes)
        {
            return false;
        }

        key = new SymmetricSecurityKey(buffer[..written]);
        return true;
    }

    private static bool TryReadPem(string pem, out SecurityKey? key)
    {
        key = null;
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            key = new RsaSecurityKey(rsa);
            return true;
        }
        catch (ArgumentException)
        {
        }
        catch (CryptographicException)
        {
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            key = new ECDsaSecurityKey(ec);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}
