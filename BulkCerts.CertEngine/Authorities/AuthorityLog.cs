namespace BulkCerts.CertEngine.Authorities;

internal static partial class AuthorityLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Loaded certificate authority {Alias} with subject {Subject}")]
    public static partial void CertificateAuthorityLoaded(this ILogger logger, string alias, string subject);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "Created a self-signed development CA at {CertificatePath}; configure your own CA for production")]
    public static partial void DevelopmentAuthorityCreated(this ILogger logger, string certificatePath);
}
