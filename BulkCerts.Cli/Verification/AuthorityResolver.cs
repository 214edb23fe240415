using System.Security.Cryptography.X509Certificates;
using BulkCerts.Cli.Api;

namespace BulkCerts.Cli.Verification;

/// <summary>Finds the CA that must have signed a task's certificates, and fetches its chain.</summary>
public static class AuthorityResolver
{
    /// <summary>
    /// The API's default for BulkCerts:DefaultCertificateAuthority, the CA of tasks without a supplier.
    /// </summary>
    public const string DefaultAlias = "default";

    /// <summary>
    /// Returns a verifier for the CA <paramref name="alias"/> when given; else for the CA that
    /// GET /certificateauthorities maps <paramref name="supplierId"/> to; else for the configured CA
    /// whose subject is the issuer of the zip's first certificate; else for CA 'default'.
    /// </summary>
    public static async Task<CertificateVerifier> CreateVerifierAsync(
        BulkCertsClient client,
        string? alias,
        string? supplierId,
        string zipPath,
        CancellationToken cancellationToken)
    {
        alias ??= await FindAliasAsync(client, supplierId, zipPath, cancellationToken);
        var pem = await client.GetAuthorityChainPemAsync(alias, cancellationToken);
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException exception)
        {
            throw new CliException(
                $"The chain of CA '{alias}' that the API sent cannot be read: {exception.Message}",
                ExitCodes.ServerError,
                exception);
        }

        if (chain.Count == 0)
        {
            throw new CliException($"The API sent no certificate for CA '{alias}'.", ExitCodes.ServerError);
        }

        return new CertificateVerifier($"CA '{alias}'", chain, DateTimeOffset.UtcNow);
    }

    private static async Task<string> FindAliasAsync(
        BulkCertsClient client,
        string? supplierId,
        string zipPath,
        CancellationToken cancellationToken)
    {
        var authorities = await client.ListAuthoritiesAsync(cancellationToken);
        if (supplierId is not null)
        {
            return authorities
                .FirstOrDefault(authority => authority.Suppliers.Contains(supplierId, StringComparer.OrdinalIgnoreCase))
                ?.Alias
                ?? throw new CliException(
                    $"No CA of GET /certificateauthorities lists supplier '{supplierId}'; pass the CA's alias " +
                    "with --ca ('bulkcerts cas' lists them).",
                    ExitCodes.NotFound);
        }

        var issuer = ZipVerifier.ReadFirstIssuer(zipPath)?.Name;
        return authorities
            .FirstOrDefault(authority => string.Equals(authority.Subject, issuer, StringComparison.OrdinalIgnoreCase))
            ?.Alias
            ?? DefaultAlias;
    }
}
