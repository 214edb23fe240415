using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>Checks that a CA certificate may sign device certificates today.</summary>
internal static class AuthorityCertificateChecks
{
    public static void EnsureIsCertificateAuthority(string alias, X509Certificate2 certificate, AuthorityFile file)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is { CertificateAuthority: false })
        {
            throw new AuthorityLoadException(
                $"Certificate authority '{alias}': the certificate '{certificate.Subject}' in {file} has " +
                "basicConstraints CA:FALSE, so certificates it signs would not verify. Configure a CA certificate.");
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
