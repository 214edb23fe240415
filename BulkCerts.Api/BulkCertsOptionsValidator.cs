using System.Text.RegularExpressions;
using BulkCerts.Api.Authorities;
using BulkCerts.Api.Certificates;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api;

/// <summary>
/// Checks the settings that data annotations cannot express; each failure names its full key.
/// </summary>
internal sealed partial class BulkCertsOptionsValidator : IValidateOptions<BulkCertsOptions>
{
    private const long MinBodyLimitBytes = 1024;

    // The body is buffered in one MemoryStream, which can contain at most 2 GiB.
    private const long MaxBodyLimitBytes = 1024 * 1024 * 1024;

    // The upload of certification requests is read line by line, so it is not bounded by that.
    private const long MaxCsrUploadLimitBytes = 16L * 1024 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, BulkCertsOptions options)
    {
        var failures = new List<string>();
        const string Section = BulkCertsOptions.SectionName;

        if (options.Retention <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:Retention is {options.Retention}; set a positive duration such as 7.00:00:00.");
        }

        if (options.ChunkClaimTimeout < TimeSpan.FromSeconds(3))
        {
            failures.Add($"{Section}:ChunkClaimTimeout is {options.ChunkClaimTimeout}; set at least 00:00:03.");
        }

        if (options.QueuePollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:QueuePollInterval is {options.QueuePollInterval}; set a positive duration.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{Section}:RetryDelay is {options.RetryDelay}; set zero or a positive duration.");
        }

        if (options.ShutdownDrainTimeout < TimeSpan.Zero)
        {
            failures.Add(
                $"{Section}:ShutdownDrainTimeout is {options.ShutdownDrainTimeout}; set zero or a positive duration.");
        }

        if (options.MaxRequestBodyBytes is < MinBodyLimitBytes or > MaxBodyLimitBytes)
        {
            failures.Add($"{Section}:MaxRequestBodyBytes is {options.MaxRequestBodyBytes}; set a number of bytes " +
                $"from {MinBodyLimitBytes} to {MaxBodyLimitBytes}, such as 16777216 (16 MiB).");
        }

        if (options.MaxCsrUploadBytes is < MinBodyLimitBytes or > MaxCsrUploadLimitBytes)
        {
            failures.Add($"{Section}:MaxCsrUploadBytes is {options.MaxCsrUploadBytes}; set a number of bytes " +
                $"from {MinBodyLimitBytes} to {MaxCsrUploadLimitBytes}, such as 268435456 (256 MiB).");
        }

        if (!CertificateAuthorityAliases.IsValid(options.DefaultCertificateAuthority))
        {
            failures.Add($"{Section}:DefaultCertificateAuthority '{options.DefaultCertificateAuthority}' is not a " +
                $"valid CA alias; {CertificateAuthorityAliases.Rule}");
        }

        foreach (var (supplier, alias) in options.Suppliers)
        {
            if (!SupplierIds.IsValid(supplier))
            {
                failures.Add($"{Section}:Suppliers:{supplier} is not a valid supplier id; {SupplierIds.Rule}");
            }

            if (string.IsNullOrWhiteSpace(alias))
            {
                failures.Add($"{Section}:Suppliers:{supplier} is empty; set the alias of the CA that signs for it.");
            }
            else if (!CertificateAuthorityAliases.IsValid(alias))
            {
                failures.Add($"{Section}:Suppliers:{supplier} '{alias}' is not a valid CA alias; " +
                    CertificateAuthorityAliases.Rule);
            }
        }

        foreach (var (engine, index) in options.CertEngines.Select((engine, index) => (engine, index)))
        {
            if (!CertEngineName().IsMatch(engine))
            {
                failures.Add($"{Section}:CertEngines:{index} '{engine}' is not a service name; use 1 to 63 " +
                    "letters, digits and '-', starting with a letter, such as certengine-2.");
            }
        }

        failures.AddRange(SubjectDefaultsValidator.Validate(options.Defaults, options.Base64CommonNames));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{0,62}$")]
    private static partial Regex CertEngineName();
}
