using BulkCerts.Api.ChunkQueue;
using BulkCerts.CertEngine.V1;
using Grpc.Core;

namespace BulkCerts.Api.Authorities;

/// <summary>
/// The CertEngine's certificate authorities, fetched at most every 30 seconds, so that a create
/// request can be checked against its CA's validity without a call per request.
/// </summary>
public sealed partial class CertificateAuthorityCatalog(
    CertEngines engines,
    TimeProvider clock,
    ILogger<CertificateAuthorityCatalog> logger)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    private Snapshot? _snapshot;

    /// <summary>
    /// Returns the authorities by alias (case-insensitive), the last known ones when the CertEngine
    /// cannot be reached, or null when it never could.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CertificateAuthorityInfo>?> GetAsync(
        CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null && clock.GetUtcNow() - snapshot.LoadedAt < RefreshInterval)
        {
            return snapshot.Authorities;
        }

        try
        {
            var response = await engines.PickClient().ListCertificateAuthoritiesAsync(
                new ListCertificateAuthoritiesRequest(),
                deadline: DateTime.UtcNow + CallTimeout,
                cancellationToken: cancellationToken);
            var authorities = response.Authorities.ToDictionary(
                authority => authority.Alias,
                StringComparer.OrdinalIgnoreCase);
            Volatile.Write(ref _snapshot, new Snapshot(clock.GetUtcNow(), authorities));
            return authorities;
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
        {
            LogListFailed(logger, exception.StatusCode, exception.Status.Detail);
            return snapshot?.Authorities;
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning,
        Message = "Listing the CertEngine's certificate authorities failed with {StatusCode}: {Detail}")]
    private static partial void LogListFailed(ILogger logger, StatusCode statusCode, string detail);

    private sealed record Snapshot(
        DateTimeOffset LoadedAt,
        IReadOnlyDictionary<string, CertificateAuthorityInfo> Authorities);
}
