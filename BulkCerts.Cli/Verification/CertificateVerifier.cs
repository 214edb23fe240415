using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.Cli.Verification;

/// <summary>
/// Checks device certificates against one CA: each must chain to the CA's certificate with only the
/// CA chain trusted, be valid now, match its certId and private key, and carry no foreign certificate.
/// </summary>
public sealed class CertificateVerifier : IDisposable
{
    private readonly X509Certificate2Collection _chain;
    private readonly X509Certificate2Collection _anchors = [];
    private readonly X509Certificate2Collection _intermediates = [];
    private readonly HashSet<string> _chainThumbprints;
    private readonly DateTimeOffset _now;

    /// <param name="authorityName">How messages name the CA, such as "CA 'default'".</param>
    /// <param name="chain">The CA's certificate first, then the certificates that issued it.</param>
    /// <param name="now">The time at which every certificate must be valid.</param>
    public CertificateVerifier(string authorityName, X509Certificate2Collection chain, DateTimeOffset now)
    {
        if (chain.Count == 0)
        {
            throw new ArgumentException("The CA chain contains no certificate.", nameof(chain));
        }

        AuthorityName = authorityName;
        _chain = chain;
        _now = now;
        _chainThumbprints = [.. chain.Select(certificate => certificate.Thumbprint)];

        // Self-signed certificates are the trust anchors. A chain without one, which ends at an
        // intermediate, is trusted at all of its certificates.
        var selfSigned = chain.Where(IsSelfIssued).ToList();
        _anchors.AddRange(selfSigned.Count > 0 ? selfSigned.ToArray() : chain.ToArray());
        _intermediates.AddRange(chain.Where(certificate => !_anchors.Contains(certificate)).ToArray());
    }

    public string AuthorityName { get; }

    /// <summary>The certificate that must have signed every device certificate.</summary>
    public X509Certificate2 Authority => _chain[0];

    /// <summary>Returns what is wrong with one certificate and its key; empty when nothing is.</summary>
    public List<string> Check(string certId, string certificatePem, string? privateKeyPem)
    {
        var problems = new List<string>();
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(certificatePem);
        }
        catch (CryptographicException exception)
        {
            problems.Add($"its certificate file cannot be read: {exception.Message}");
            return problems;
        }

        if (certificates.Count == 0)
        {
            problems.Add("its certificate file contains no PEM certificate");
            return problems;
        }

        try
        {
            var leaf = certificates[0];
            CheckFingerprint(certId, leaf, problems);
            CheckAppendedCertificates(certificates, problems);
            var timeValid = CheckValidity(leaf, problems);
            CheckChain(leaf, timeValid, problems);
            if (privateKeyPem is null)
            {
                problems.Add("its private key file is missing");
            }
            else if (PrivateKeyMatch.Check(privateKeyPem, leaf) is { } keyProblem)
            {
                problems.Add(keyProblem);
            }

            return problems;
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var certificate in _chain)
        {
            certificate.Dispose();
        }
    }

    private static void CheckFingerprint(string certId, X509Certificate2 leaf, List<string> problems)
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(leaf.RawData));
        if (!fingerprint.Equals(certId, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"its SHA-256 fingerprint {fingerprint} differs from its certId");
        }
    }

    /// <summary>Certificates after the first (with includeCA) must be those of the CA chain.</summary>
    private void CheckAppendedCertificates(X509Certificate2Collection certificates, List<string> problems)
    {
        foreach (var appended in certificates.Skip(1))
        {
            if (!_chainThumbprints.Contains(appended.Thumbprint))
            {
                problems.Add($"its file carries a certificate that is not in the CA chain: {appended.Subject}");
            }
        }
    }

    private bool CheckValidity(X509Certificate2 leaf, List<string> problems)
    {
        if (_now < leaf.NotBefore)
        {
            problems.Add($"it is not valid before {leaf.NotBefore.ToUniversalTime():u}");
            return false;
        }

        if (_now > leaf.NotAfter)
        {
            problems.Add($"it expired at {leaf.NotAfter.ToUniversalTime():u}");
            return false;
        }

        return true;
    }

    private void CheckChain(X509Certificate2 leaf, bool timeValid, List<string> problems)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = _now.UtcDateTime;

        bool built;
        try
        {
            built = chain.Build(leaf);
        }
        catch (CryptographicException)
        {
            // NOTE: OpenSSL before 3.5 cannot read ML-DSA public keys, so .NET cannot build a chain for
            // such a device certificate. Its signature and issuer are then checked with BouncyCastle,
            // and the CA chain above its CA is taken as the API sent it.
            CheckSignature(leaf, problems);
            return;
        }

        if (!built)
        {
            // An expired device certificate was reported already; a time error then means nothing new.
            var reasons = chain.ChainStatus
                .Where(status => timeValid || status.Status != X509ChainStatusFlags.NotTimeValid)
                .Select(status => status.StatusInformation.Trim() is { Length: > 0 } text
                    ? text
                    : status.Status.ToString())
                .Distinct()
                .ToList();
            if (reasons.Count > 0)
            {
                problems.Add($"it does not chain to {AuthorityName}: {string.Join("; ", reasons)}");
            }

            return;
        }

        // Trusting a root alone would accept a certificate of another CA under the same root.
        if (chain.ChainElements.Count < 2 || chain.ChainElements[1].Certificate.Thumbprint != Authority.Thumbprint)
        {
            problems.Add($"it was not issued by {AuthorityName} but by {leaf.Issuer}");
        }
    }

    private void CheckSignature(X509Certificate2 leaf, List<string> problems)
    {
        var certificate = new Org.BouncyCastle.X509.X509Certificate(leaf.RawData);
        var authority = new Org.BouncyCastle.X509.X509Certificate(Authority.RawData);
        if (!certificate.IssuerDN.Equivalent(authority.SubjectDN))
        {
            problems.Add($"it was not issued by {AuthorityName} but by {leaf.Issuer}");
            return;
        }

        try
        {
            certificate.Verify(authority.GetPublicKey());
        }
        catch (Exception exception) when (exception is Org.BouncyCastle.Security.GeneralSecurityException
            or Org.BouncyCastle.Crypto.CryptoException)
        {
            problems.Add($"its signature does not verify with the key of {AuthorityName}: {exception.Message}");
        }
    }

    private static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
