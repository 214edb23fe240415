using System.ComponentModel.DataAnnotations;

namespace BulkCerts.Api.Security;

/// <summary>Limits per credential, bound from <c>BulkCerts:RateLimit</c>.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = $"{BulkCertsOptions.SectionName}:RateLimit";

    /// <summary>Requests a credential may make per minute, on average, on each Api replica.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 1200;

    /// <summary>Requests a credential may make at once after an idle spell.</summary>
    [Range(1, 100_000)]
    public int Burst { get; set; } = 100;

    /// <summary>Tasks a credential may have pending or in progress at once, across replicas.</summary>
    [Range(1, 100_000)]
    public int MaxRunningTasks { get; set; } = 20;
}
