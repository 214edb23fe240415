using System.ComponentModel;
using System.Text.Json.Serialization;

namespace BulkCerts.Api.Registry;

/// <summary>Body of the registry's responses: one registered certificate.</summary>
public sealed record RegisteredCertificateResponse(
    [property: Description("SHA-256 of the certificate's DER, lowercase hex: the certId of the task's manifest.")]
    string Fingerprint,
    [property: Description("Serial number, uppercase hex, as openssl x509 -serial prints it.")] string SerialNumber,
    [property: Description("Subject distinguished name, last RDN first, such as CN=device-01, O=Acme.")]
    string Subject,
    [property: Description("Issuer distinguished name, in the form of subject.")] string Issuer,
    [property: Description("Alias of the CA that signed the certificate.")] string CertificateAuthority,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string TaskId,
    [property: Description("The supplier of the task; null for tasks of POST /certificates.")] string? SupplierId,
    DateTimeOffset RegisteredAt,
    [property: Description("valid, revoked, or expired (past notAfter and never revoked).")] string Status,
    [property: Description("When and why the certificate was revoked; present only when it was.")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RevocationResponse? Revocation)
{
    public static RegisteredCertificateResponse From(CertificateRecord record, DateTimeOffset now) => new(
        record.Fingerprint,
        record.SerialNumber,
        record.Subject,
        record.Issuer,
        record.CertificateAuthority,
        record.NotBefore,
        record.NotAfter,
        record.TaskId,
        record.SupplierId,
        record.RegisteredAt,
        record.StatusAt(now),
        record.IsRevoked
            ? new RevocationResponse(
                RevocationReasons.NameOf(record.ReasonCode!.Value), record.ReasonCode.Value, record.RevokedAt!.Value)
            : null);
}

/// <summary>When and why a certificate was revoked.</summary>
public sealed record RevocationResponse(
    [property: Description("The RFC 5280 CRLReason name, such as keyCompromise.")] string Reason,
    [property: Description("The RFC 5280 CRLReason code, such as 1 for keyCompromise.")] int ReasonCode,
    DateTimeOffset RevokedAt);

/// <summary>The body of a revocation: the reason, by name or by code, or neither for unspecified.</summary>
[Description("The reason for the revocation, by name or by code; an empty body or an empty object means unspecified.")]
public sealed class RevocationRequest
{
    [Description("An RFC 5280 CRLReason name: unspecified, keyCompromise, cACompromise, affiliationChanged, " +
        "superseded, cessationOfOperation, certificateHold, privilegeWithdrawn or aACompromise.")]
    public string? Reason { get; init; }

    [Description("The reason's RFC 5280 code instead of its name: 0 to 6, 9 or 10. Given with reason, both must " +
        "name the same reason.")]
    public int? ReasonCode { get; init; }
}
