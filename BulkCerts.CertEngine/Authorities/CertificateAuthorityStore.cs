using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Certificate authorities by alias (case-insensitive), loaded once at start-up.
/// </summary>
public sealed class CertificateAuthorityStore : IDisposable
{
    public const string DefaultAlias = "default";

    private readonly Dictionary<string, CertificateAuthority> _authorities;

    /// <exception cref="AuthorityLoadException">A configured CA cannot be used.</exception>
    public CertificateAuthorityStore(
        IOptions<CertEngineOptions> options,
        IHostEnvironment environment,
        ILogger<CertificateAuthorityStore> logger)
    {
        var settings = options.Value;
        _authorities = new Dictionary<string, CertificateAuthority>(StringComparer.OrdinalIgnoreCase);

        foreach (var (alias, files) in settings.CertificateAuthorities)
        {
            var source = AuthoritySource.FromOptions(alias, files, environment.ContentRootPath);
            _authorities[alias] = LoadOrLog(source, logger);
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

    private static CertificateAuthority LoadOrLog(AuthoritySource source, ILogger logger)
    {
        try
        {
            return CertificateAuthorityLoader.Load(source, DateTimeOffset.UtcNow);
        }
        catch (AuthorityLoadException exception)
        {
            logger.CertificateAuthorityRejected(source.Alias, exception.Message);
            throw;
        }
    }
}
