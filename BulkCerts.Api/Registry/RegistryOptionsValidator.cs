using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Registry;

/// <summary>Checks <c>BulkCerts:Registry</c> at start-up. Each failure names its full key.</summary>
internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        const string Section = RegistryOptions.SectionName;
        var failures = new List<string>();

        if (options.RetentionAfterExpiry < TimeSpan.Zero
            || options.RetentionAfterExpiry > RegistryOptions.MaxRetentionAfterExpiry)
        {
            failures.Add($"{Section}:RetentionAfterExpiry is {options.RetentionAfterExpiry}; set a duration from " +
                $"00:00:00 to {RegistryOptions.MaxRetentionAfterExpiry.Days}.00:00:00, such as 365.00:00:00.");
        }

        if (options.CrlValidity < RegistryOptions.MinCrlValidity
            || options.CrlValidity > RegistryOptions.MaxCrlValidity)
        {
            failures.Add($"{Section}:CrlValidity is {options.CrlValidity}; set a duration from 01:00:00 to " +
                $"{RegistryOptions.MaxCrlValidity.Days}.00:00:00, such as 7.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
