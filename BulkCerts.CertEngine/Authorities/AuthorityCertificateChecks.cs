using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>Checks that a CA certificate may sign device certificates today.</summary>
internal static class AuthorityCertificateChecks
{
    public static void EnsureIsCertificateAuthority(string alias, X509Certificate2 certificate, AuthorityFile file)
    {
        // RFC 5280 4.2.1.9: a certificate whose key signs certificates must assert CA:TRUE, and
        // verifiers reject an issuer without it (openssl: "invalid CA certificate").
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true })
        {
            var found = constraints is null ? "no basicConstraints extension" : "basicConstraints CA:FALSE";
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the certificate '{certificate.Subject}' in {file} has " +
                $"{found}, so certificates it signs would not verify. Configure a CA certificate with CA:TRUE.");
        }

        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is not null && !keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the certificate '{certificate.Subject}' in {file} has a " +
                $"keyUsage without keyCertSign ({keyUsage.KeyUsages}), so certificates it signs would not verify. " +
                "Configure a CA certificate.");
        }
    }

    /// <summary>
    /// Checks that each certificate of the chain was issued by the next one, by name, so that a
    /// stray certificate in the file is not served as part of the chain.
    /// </summary>
    public static void EnsureChainIsOrdered(string alias, IReadOnlyList<X509Certificate2> chain, AuthorityFile file)
    {
        for (var index = 0; index + 1 < chain.Count; index++)
        {
            var (certificate, issuer) = (chain[index], chain[index + 1]);
            if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                throw new AuthorityLoadException(
                    $"Certificate authority '{alias}': in {file}, certificate {index + 1} ('{certificate.Subject}') " +
                    $"was issued by '{certificate.Issuer}', but the next certificate is '{issuer.Subject}'. " +
                    "List the CA certificate first, then each issuer in order up to the root.");
            }
        }
    }

    public static void EnsureIsValid(
        string alias,
        X509Certificate2 certificate,
        AuthorityFile file,
        DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now > notAfter)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the certificate '{certificate.Subject}' in {file} expired " +
                $"at {notAfter:u}. Renew the CA certificate.");
        }

        if (now < notBefore)
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the certificate '{certificate.Subject}' in {file} is not valid " +
                $"before {notBefore:u}. Configure a CA certificate that is valid now, or check the clock.");
        }
    }
}
