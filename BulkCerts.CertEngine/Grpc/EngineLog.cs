namespace BulkCerts.CertEngine.Grpc;

internal static partial class EngineLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information,
        Message = "Issuing {Count} certificates from index {FirstIndex} with CA {Alias}")]
    public static partial void IssuanceStarted(this ILogger logger, string alias, int count, long firstIndex);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information,
        Message = "Issued {Count} certificates from index {FirstIndex} with CA {Alias}")]
    public static partial void IssuanceCompleted(this ILogger logger, string alias, int count, long firstIndex);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning,
        Message = "Stopped issuing {Count} certificates from index {FirstIndex} with CA {Alias}: " +
            "the CertEngine is stopping")]
    public static partial void IssuanceAbortedByShutdown(this ILogger logger, string alias, int count, long firstIndex);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information,
        Message = "Signed revocation list {CrlNumber} of CA {Alias} with {Count} entries")]
    public static partial void RevocationListSigned(this ILogger logger, string alias, long crlNumber, int count);
}
