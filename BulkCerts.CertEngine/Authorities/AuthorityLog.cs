namespace BulkCerts.CertEngine.Authorities;

internal static partial class AuthorityLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Loaded certificate authority {Alias} with subject {Subject}")]
    public static partial void CertificateAuthorityLoaded(this ILogger logger, string alias, string subject);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "Created a self-signed development CA at {CertificatePath}; configure your own CA for production")]
    public static partial void DevelopmentAuthorityCreated(this ILogger logger, string certificatePath);

    // The reason never contains key material or the passphrase; see AuthorityLoadException.
    [LoggerMessage(EventId = 102, Level = LogLevel.Critical,
        Message = "Certificate authority {Alias} cannot be used, so the engine stops: {Reason}")]
    public static partial void CertificateAuthorityRejected(this ILogger logger, string alias, string reason);
}
