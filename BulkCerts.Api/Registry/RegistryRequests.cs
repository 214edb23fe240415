using BulkCerts.Api.Security;

namespace BulkCerts.Api.Registry;

/// <summary>
/// Look-up and revocation as both the REST endpoints and the gRPC service perform them: the
/// fingerprint check, the supplier scope of the credential and the outcome, with its message.
/// </summary>
public sealed partial class RegistryRequests(
    RegistryStore registry,
    TimeProvider clock,
    ILogger<RegistryRequests> logger)
{
    public async Task<RegistryResult> GetAsync(string fingerprint, Credential credential)
    {
        var (record, failure) = await FindAsync(fingerprint, credential);
        return failure ?? RegistryResult.Found(record!);
    }

    public async Task<RegistryResult> RevokeAsync(string fingerprint, int reasonCode, Credential credential)
    {
        var (record, failure) = await FindAsync(fingerprint, credential);
        if (failure is not null)
        {
            return failure;
        }

        if (!RevocationReasons.IsValid(reasonCode))
        {
            return RegistryResult.Fail(RegistryError.InvalidArgument, RegistryMessages.InvalidReasonCode(reasonCode));
        }

        var (outcome, now) = await registry.RevokeAsync(record!, reasonCode, clock.GetUtcNow());
        if (outcome == RevocationOutcome.Revoked)
        {
            LogRevoked(logger, now!.Fingerprint, now.CertificateAuthority, RevocationReasons.NameOf(reasonCode),
                credential.Name);
        }

        return outcome switch
        {
            RevocationOutcome.Revoked => RegistryResult.Found(now!),
            RevocationOutcome.AlreadyRevoked => RegistryResult.Fail(
                RegistryError.AlreadyRevoked,
                RegistryMessages.AlreadyRevoked(now!.Fingerprint, now.RevokedAt!.Value, now.ReasonCode!.Value)),
            _ => RegistryResult.Fail(RegistryError.NotFound, RegistryMessages.NotFound(record!.Fingerprint)),
        };
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Information,
        Message = "Certificate {Fingerprint} of CA {Alias} was revoked for {Reason} by credential {Credential}")]
    private static partial void LogRevoked(
        ILogger logger, string fingerprint, string alias, string reason, string credential);

    private async Task<(CertificateRecord? Record, RegistryResult? Failure)> FindAsync(
        string fingerprint,
        Credential credential)
    {
        if (Fingerprints.Normalize(fingerprint) is not { } normal)
        {
            return (null, RegistryResult.Fail(
                RegistryError.InvalidArgument, RegistryMessages.InvalidFingerprint(fingerprint)));
        }

        if (await registry.GetAsync(normal) is not { } record)
        {
            return (null, RegistryResult.Fail(RegistryError.NotFound, RegistryMessages.NotFound(normal)));
        }

        if (!credential.MayUse(record.SupplierId))
        {
            return (null, RegistryResult.Fail(
                RegistryError.OutOfScope, RegistryMessages.OutOfScope(credential, normal)));
        }

        return (record, null);
    }
}

public enum RegistryError
{
    None,
    InvalidArgument,
    NotFound,
    OutOfScope,
    AlreadyRevoked,
}

/// <summary>A record, or the error and its message.</summary>
public sealed record RegistryResult(CertificateRecord? Record, RegistryError Error, string? Message)
{
    public static RegistryResult Found(CertificateRecord record) => new(record, RegistryError.None, null);

    public static RegistryResult Fail(RegistryError error, string message) => new(null, error, message);
}
