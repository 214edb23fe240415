namespace BulkCerts.Api.Registry;

/// <summary>Settings of the certificate registry and revocation lists, bound from <c>BulkCerts:Registry</c>.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = $"{BulkCertsOptions.SectionName}:Registry";

    public static readonly TimeSpan MinCrlValidity = TimeSpan.FromHours(1);

    /// <summary>The longest validity the CertEngine signs.</summary>
    public static readonly TimeSpan MaxCrlValidity = TimeSpan.FromDays(366);

    public static readonly TimeSpan MaxRetentionAfterExpiry = TimeSpan.FromDays(3650);

    /// <summary>How long a record is kept after its certificate's notAfter.</summary>
    public TimeSpan RetentionAfterExpiry { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Time from a revocation list's thisUpdate to its nextUpdate. A list is signed anew when a
    /// certificate of its CA is revoked, or once half of this has passed.
    /// </summary>
    public TimeSpan CrlValidity { get; set; } = TimeSpan.FromDays(7);
}
