using System.Globalization;
using StackExchange.Redis;

namespace BulkCerts.Api.Registry;

/// <summary>
/// One registered certificate as its Redis hash stores it. Neither the certificate's PEM nor its
/// private key is kept: the record identifies the certificate and its revocation only.
/// </summary>
public sealed record CertificateRecord(
    string Fingerprint,
    string SerialNumber,
    string Subject,
    string Issuer,
    string CertificateAuthority,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string TaskId,
    string? SupplierId,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? RevokedAt,
    int? ReasonCode)
{
    public const string Valid = "valid";
    public const string Revoked = "revoked";
    public const string Expired = "expired";

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>
    /// Returns the status at <paramref name="now"/>. A revoked certificate stays revoked after its notAfter,
    /// and one never revoked is expired after it.
    /// </summary>
    public string StatusAt(DateTimeOffset now)
    {
        if (IsRevoked)
        {
            return Revoked;
        }

        return now > NotAfter ? Expired : Valid;
    }

    public static CertificateRecord? FromHash(HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = entries.ToDictionary(entry => entry.Name.ToString(), entry => entry.Value);
        string Text(string name) => fields.TryGetValue(name, out var value) ? value.ToString() : string.Empty;
        DateTimeOffset Time(string name) => DateTimeOffset.FromUnixTimeMilliseconds(
            long.Parse(Text(name), CultureInfo.InvariantCulture));

        var revoked = Text("status") == Revoked;
        var supplier = Text("supplierId");
        return new CertificateRecord(
            Text("fingerprint"),
            Text("serialNumber"),
            Text("subject"),
            Text("issuer"),
            Text("certificateAuthority"),
            Time("notBefore"),
            Time("notAfter"),
            Text("taskId"),
            supplier.Length == 0 ? null : supplier,
            Time("registeredAt"),
            revoked ? Time("revokedAt") : null,
            revoked ? int.Parse(Text("reasonCode"), CultureInfo.InvariantCulture) : null);
    }
}
