using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>Reads the certificate PEM and the private key PEM of a certificate authority.</summary>
internal static class PemAuthorityReader
{
    /// <summary>Reads the CA certificate followed by any intermediates above it.</summary>
    public static IReadOnlyList<X509Certificate2> ReadCertificates(string alias, AuthorityFile file)
    {
        EnsureExists(alias, file);

        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(file.Path);
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
        EnsureExists(alias, file);

        var pem = File.ReadAllText(file.Path);
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

    public static void EnsureExists(string alias, AuthorityFile file)
    {
        if (!File.Exists(file.Path))
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the file {file} was not found. Check the path.");
        }
    }
}
