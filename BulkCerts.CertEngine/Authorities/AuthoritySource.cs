namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// The files and passphrase of one certificate authority, with the configuration key that sets
/// each, so that every load error can name the setting to fix.
/// </summary>
internal sealed record AuthoritySource(
    string Alias,
    AuthorityFile? Certificate,
    AuthorityFile? PrivateKey,
    AuthorityFile? Pkcs12,
    string? Passphrase,
    string PassphraseSetting)
{
    /// <summary>Describes the CA configured under <c>CertEngine:CertificateAuthorities:{alias}</c>.</summary>
    public static AuthoritySource FromOptions(string alias, CertificateAuthorityOptions options, string contentRoot)
    {
        var prefix = $"{CertEngineOptions.SectionName}:CertificateAuthorities:{alias}";
        return new AuthoritySource(
            alias,
            AuthorityFile.Create(options.CertificatePath, $"{prefix}:CertificatePath", contentRoot),
            AuthorityFile.Create(options.PrivateKeyPath, $"{prefix}:PrivateKeyPath", contentRoot),
            AuthorityFile.Create(options.Pkcs12Path, $"{prefix}:Pkcs12Path", contentRoot),
            string.IsNullOrEmpty(options.Passphrase) ? null : options.Passphrase,
            $"{prefix}:Passphrase");
    }
}

/// <summary>An absolute file path and the configuration key that set it.</summary>
internal sealed record AuthorityFile(string Path, string Setting)
{
    public static AuthorityFile? Create(string? path, string setting, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        return new AuthorityFile(System.IO.Path.GetFullPath(path, contentRoot), setting);
    }

    public override string ToString() => $"{Setting} '{Path}'";
}
