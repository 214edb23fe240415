using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Pkcs;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Reads a certificate authority from a PKCS#12 file that contains the CA certificate, its key and
/// its chain. BouncyCastle reads it, so that Ed25519 keys, for which .NET has no key type, load
/// like RSA and EC keys.
/// </summary>
internal static class Pkcs12AuthorityReader
{
    public static (IReadOnlyList<X509Certificate2> Chain, AuthorityKey Key) Read(
        string alias,
        AuthorityFile file,
        string? passphrase,
        string passphraseSetting)
    {
        var contents = PemAuthorityReader.ReadAllBytes(alias, file);
        var store = new Pkcs12StoreBuilder().Build();
        try
        {
            store.Load(new MemoryStream(contents), (passphrase ?? string.Empty).ToCharArray());
        }
        catch (Exception exception) when (PemKeyReader.IsReadFailure(exception))
        {
            // The exception message is left out on purpose, as for PEM keys.
            var advice = passphrase is null
                ? $"Set {passphraseSetting} if the file is encrypted, and check that it is PKCS#12."
                : "Check the passphrase and that the file is PKCS#12.";
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': {file} could not be opened with {passphraseSetting} " +
                $"({exception.GetType().Name}). {advice}");
        }

        var keyAlias = store.Aliases.FirstOrDefault(store.IsKeyEntry) ?? throw new AuthorityLoadException(
            $"Certificate authority '{alias}': {file} contains no private key. " +
            "Export the CA certificate together with its key, for example with openssl pkcs12 -export.");

        var privateKey = store.GetKey(keyAlias).Key;
        var chain = store.GetCertificateChain(keyAlias);
        if (chain is null || chain.Length == 0)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': {file} contains a private key without its certificate. " +
                "Export the CA certificate together with its key, for example with openssl pkcs12 -export.");
        }

        var key = AuthorityKeys.FromBouncyCastle(privateKey) ?? throw new AuthorityLoadException(
            $"Certificate authority '{alias}': the private key in {file} is a {privateKey.GetType().Name}. " +
            "Configure an RSA, EC or Ed25519 key.");

        var certificates = chain
            .Select(entry => X509CertificateLoader.LoadCertificate(entry.Certificate.GetEncoded()))
            .ToList();
        return (certificates, key);
    }
}
