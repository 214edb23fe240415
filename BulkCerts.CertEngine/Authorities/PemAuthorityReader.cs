using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>Reads the certificate PEM and the private key PEM of a certificate authority.</summary>
internal static class PemAuthorityReader
{
    /// <summary>Reads the CA certificate followed by any intermediates above it.</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(string alias, AuthorityFile file)
    {
        var pem = Encoding.UTF8.GetString(ReadAllBytes(alias, file));
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': {file} is not a valid certificate PEM " +
                $"({exception.Message}). Configure a PEM file that starts with the CA certificate.");
        }

        if (chain.Count == 0)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': {file} contains no \"BEGIN CERTIFICATE\" block. " +
                "Configure a PEM file that starts with the CA certificate.");
        }

        return chain.ToList();
    }

    public static AuthorityKey ReadKey(string alias, AuthorityFile file, string? passphrase, string passphraseSetting)
    {
        var pem = Encoding.UTF8.GetString(ReadAllBytes(alias, file));
        var encrypted = PemKeyReader.IsEncrypted(pem);
        if (encrypted && passphrase is null)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the private key in {file} is encrypted. " +
                $"Set {passphraseSetting}, for example in user secrets or an environment variable.");
        }

        Org.BouncyCastle.Crypto.AsymmetricKeyParameter? privateKey;
        try
        {
            privateKey = PemKeyReader.Read(pem, passphrase);
        }
        catch (Exception exception) when (PemKeyReader.IsReadFailure(exception))
        {
            // The exception message is left out on purpose: key parsing errors may quote key material.
            throw new AuthorityLoadException(encrypted
                ? $"Certificate authority '{alias}': the private key in {file} could not be decrypted with " +
                  $"{passphraseSetting} ({exception.GetType().Name}). Check the passphrase."
                : $"Certificate authority '{alias}': {file} is not a valid private key PEM " +
                  $"({exception.GetType().Name}). Configure a PKCS#1, SEC 1 or PKCS#8 key.");
        }

        if (privateKey is null)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': {file} contains no private key. " +
                "Configure a PKCS#1, SEC 1 or PKCS#8 key PEM.");
        }

        return AuthorityKeys.FromBouncyCastle(privateKey) ?? throw new AuthorityLoadException(
            $"Certificate authority '{alias}': the private key in {file} is a {privateKey.GetType().Name}. " +
            "Configure an RSA, EC or Ed25519 key.");
    }

    /// <summary>Reads a CA file, naming its setting when the file is missing or unreadable.</summary>
    public static byte[] ReadAllBytes(string alias, AuthorityFile file)
    {
        if (!File.Exists(file.Path))
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the file {file} was not found. Check the path.");
        }

        try
        {
            return File.ReadAllBytes(file.Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // File system messages name the path only, never the contents.
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the file {file} could not be read: {exception.Message} " +
                "Check that the engine's user may read it.");
        }
    }
}
