namespace BulkCerts.Api.Certificates;

/// <summary>
/// A validated create-task request, with configured defaults applied. It is stored with the
/// task, so every chunk is issued with the same settings.
/// </summary>
public sealed record CertificateRequestSpec
{
    public required int Quantity { get; init; }

    public bool Register { get; init; }

    public required string CommonName { get; init; }

    public string? Organization { get; init; }

    public string? OrganizationalUnit { get; init; }

    public string? Locality { get; init; }

    public string? StateName { get; init; }

    public string? Country { get; init; }

    public string? EmailAddress { get; init; }

    public string? DistinguishedNameQualifier { get; init; }

    public bool IncludeCertificateAuthority { get; init; }

    public required int DaysExpiry { get; init; }
}
