using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Certificate authorities by alias (case-insensitive), loaded once at start-up.
/// </summary>
public sealed class CertificateAuthorityStore : IDisposable
{
    public const string DefaultAlias = "default";

    private readonly Dictionary<string, CertificateAuthority> _authorities;

    public CertificateAuthorityStore(
        IOptions<CertEngineOptions> options,
        IHostEnvironment environment,
        ILogger<CertificateAuthorityStore> logger)
    {
        var settings = options.Value;
        _authorities = new Dictionary<string, CertificateAuthority>(StringComparer.OrdinalIgnoreCase);

        foreach (var (alias, files) in settings.CertificateAuthorities)
        {
            _authorities[alias] = LoadConfigured(alias, files, environment.ContentRootPath);
            logger.CertificateAuthorityLoaded(alias, _authorities[alias].Certificate.Subject);
        }

        if (!_authorities.ContainsKey(DefaultAlias))
        {
            var dataPath = Path.GetFullPath(settings.DataPath, environment.ContentRootPath);
            var authority = DevelopmentAuthority.LoadOrCreate(dataPath, logger);
            _authorities[DefaultAlias] = authority;
            logger.CertificateAuthorityLoaded(DefaultAlias, authority.Certificate.Subject);
        }
    }

    public IEnumerable<CertificateAuthority> All => _authorities.Values;

    public bool TryGet(string alias, [NotNullWhen(true)] out CertificateAuthority? authority) =>
        _authorities.TryGetValue(alias, out authority);

    public void Dispose()
    {
        foreach (var authority in _authorities.Values)
        {
            authority.Dispose();
        }
    }

    private static CertificateAuthority LoadConfigured(
        string alias,
        CertificateAuthorityOptions files,
        string contentRoot)
    {
        var key = $"{CertEngineOptions.SectionName}:CertificateAuthorities:{alias}";
        if (string.IsNullOrWhiteSpace(files.CertificatePath) || string.IsNullOrWhiteSpace(files.PrivateKeyPath))
        {
            throw new InvalidOperationException(
                $"Certificate authority '{alias}' is incomplete: set both {key}:CertificatePath and {key}:PrivateKeyPath.");
        }

        var certificatePath = Path.GetFullPath(files.CertificatePath, contentRoot);
        var privateKeyPath = Path.GetFullPath(files.PrivateKeyPath, contentRoot);
        try
        {
            return Load(alias, certificatePath, privateKeyPath);
        }
        catch (Exception exception) when (exception is IOException or CryptographicException or UnauthorizedAccessException)
        {
            // The inner exception is left out on purpose: key parsing errors may quote key material.
            throw new InvalidOperationException(
                $"Certificate authority '{alias}' could not be loaded from {key}:CertificatePath " +
                $"'{certificatePath}' and {key}:PrivateKeyPath '{privateKeyPath}': {exception.GetType().Name}. " +
                "Check that both files exist, are PEM, and that the key belongs to the certificate.");
        }
    }

    internal static CertificateAuthority Load(string alias, string certificatePath, string privateKeyPath)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(certificatePath);
        if (chain.Count == 0)
        {
            throw new CryptographicException("The certificate file holds no certificate.");
        }

        var certificate = chain[0];
        var keyPem = File.ReadAllText(privateKeyPath);
        AsymmetricAlgorithm privateKey = certificate.GetKeyAlgorithm() switch
        {
            Oids.Rsa => ImportKey(RSA.Create(), keyPem),
            Oids.EcPublicKey => ImportKey(ECDsa.Create(), keyPem),
            var oid => throw new CryptographicException($"Unsupported CA key algorithm {oid}."),
        };

        EnsureKeyMatches(certificate, privateKey);
        EnsureIsCertificateAuthority(alias, certificate);

        return new CertificateAuthority(alias, certificate, chain.Skip(1).ToList(), privateKey);
    }

    private static T ImportKey<T>(T key, string pem) where T : AsymmetricAlgorithm
    {
        key.ImportFromPem(pem);
        return key;
    }

    private static void EnsureKeyMatches(X509Certificate2 certificate, AsymmetricAlgorithm privateKey)
    {
        var publicKey = certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var keyPublicPart = privateKey.ExportSubjectPublicKeyInfo();
        if (!publicKey.AsSpan().SequenceEqual(keyPublicPart))
        {
            throw new CryptographicException("The private key does not belong to the certificate.");
        }
    }

    private static void EnsureIsCertificateAuthority(string alias, X509Certificate2 certificate)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is { CertificateAuthority: false })
        {
            throw new InvalidOperationException(
                $"Certificate '{certificate.Subject}' of certificate authority '{alias}' has basicConstraints " +
                "CA:FALSE, so certificates it signs would not verify. Use a CA certificate.");
        }
    }
}
