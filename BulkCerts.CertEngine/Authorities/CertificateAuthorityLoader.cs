using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Loads a certificate authority from a certificate PEM and a key PEM, or from a PKCS#12 file,
/// and checks that it can sign: the key matches, the certificate is a CA, and it is valid now.
/// </summary>
internal static class CertificateAuthorityLoader
{
    /// <exception cref="AuthorityLoadException">The files or passphrase do not give a usable CA.</exception>
    public static CertificateAuthority Load(AuthoritySource source, DateTimeOffset now)
    {
        var (chain, key, keyFile) = ReadFiles(source);
        try
        {
            var certificate = chain[0];
            var certificateFile = source.Certificate ?? keyFile;
            if (!key.Matches(certificate.PublicKey))
            {
                throw new AuthorityLoadException(
                    $"Certificate authority '{source.Alias}': the private key in {keyFile} does not belong to " +
                    $"the certificate '{certificate.Subject}' in {certificateFile}. Configure the matching key.");
            }

            AuthorityCertificateChecks.EnsureIsCertificateAuthority(source.Alias, certificate, certificateFile);
            AuthorityCertificateChecks.EnsureIsValid(source.Alias, certificate, certificateFile, now);
            AuthorityCertificateChecks.EnsureChainIsOrdered(source.Alias, chain, certificateFile);

            return new CertificateAuthority(source.Alias, certificate, chain.Skip(1).ToList(), key);
        }
        catch
        {
            key.Dispose();
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }

            throw;
        }
    }

    private static (IReadOnlyList<X509Certificate2> Chain, AuthorityKey Key, AuthorityFile KeyFile) ReadFiles(
        AuthoritySource source)
    {
        var prefix = $"Certificate authority '{source.Alias}'";
        if (source.Pkcs12 is { } pkcs12)
        {
            if (source.Certificate is not null || source.PrivateKey is not null)
            {
                throw new AuthorityLoadException(
                    $"{prefix} sets both {pkcs12.Setting} and a certificate or private key path; " +
                    "set either the PKCS#12 file or the two PEM files.");
            }

            var (chain, key) = Pkcs12AuthorityReader.Read(
                source.Alias, pkcs12, source.Passphrase, source.PassphraseSetting);
            return (chain, key, pkcs12);
        }

        if (source.Certificate is not { } certificateFile || source.PrivateKey is not { } keyFile)
        {
            throw new AuthorityLoadException(
                $"{prefix} is incomplete: set CertificatePath and PrivateKeyPath, or Pkcs12Path, " +
                $"under {CertEngineOptions.SectionName}:CertificateAuthorities:{source.Alias}.");
        }

        var certificates = PemAuthorityReader.ReadCertificates(source.Alias, certificateFile);
        var privateKey = PemAuthorityReader.ReadKey(
            source.Alias, keyFile, source.Passphrase, source.PassphraseSetting);
        return (certificates, privateKey, keyFile);
    }
}
