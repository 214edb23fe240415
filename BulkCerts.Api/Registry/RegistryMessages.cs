using BulkCerts.Api.Http;
using BulkCerts.Api.Security;
using BulkCerts.Api.Tasks;

namespace BulkCerts.Api.Registry;

/// <summary>Error messages of the registry, shared by the REST endpoints and the gRPC service.</summary>
public static class RegistryMessages
{
    public static string InvalidFingerprint(string fingerprint) =>
        $"Fingerprint '{MessageText.Shorten(fingerprint)}' is not valid; a fingerprint is the SHA-256 of the " +
        "certificate's DER as 64 hex digits, in either case, with or without colons between the bytes " +
        "(the certId of the task's manifest, or what openssl x509 -fingerprint -sha256 prints).";

    public static string NotFound(string fingerprint) =>
        $"Certificate {fingerprint} is not in the registry. Check the fingerprint; only certificates of tasks " +
        "created with \"register\": true are registered, and records are deleted when the retention after " +
        "their expiry ends.";

    public static string OutOfScope(Credential credential, string fingerprint) =>
        TaskMessages.OutOfScope(credential, $"Certificate {fingerprint}");

    public static string AlreadyRevoked(string fingerprint, DateTimeOffset revokedAt, int reasonCode) =>
        $"Certificate {fingerprint} was already revoked at {revokedAt:u} for {RevocationReasons.NameOf(reasonCode)} " +
        $"(reason code {reasonCode}); a revocation cannot be changed or undone.";

    public static string InvalidReasonName(string reason) =>
        $"Revocation reason '{MessageText.Shorten(reason)}' is not valid; use one of {RevocationReasons.Names}, " +
        $"or reasonCode {RevocationReasons.Codes}.";

    public static string InvalidReasonCode(long code) =>
        $"Revocation reason code {code} is not valid; use {RevocationReasons.Codes} ({RevocationReasons.Names}). " +
        "removeFromCRL (8) belongs in delta revocation lists, which BulkCerts does not issue.";
}
