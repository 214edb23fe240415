using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine;

/// <summary>
/// Checks the capacities of the RSA key pool. Each failure names the full setting, for example
/// <c>CertEngine:KeyPool:Rsa2048</c>.
/// </summary>
internal sealed class KeyPoolOptionsValidator : IValidateOptions<KeyPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyPoolOptions options)
    {
        var failures = new List<string>();
        CheckCapacity(nameof(KeyPoolOptions.Rsa2048), options.Rsa2048, failures);
        CheckCapacity(nameof(KeyPoolOptions.Rsa3072), options.Rsa3072, failures);
        CheckCapacity(nameof(KeyPoolOptions.Rsa4096), options.Rsa4096, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckCapacity(string setting, int capacity, List<string> failures)
    {
        if (capacity is < 0 or > KeyPoolOptions.MaxCapacity)
        {
            failures.Add(
                $"{KeyPoolOptions.SectionName}:{setting} is {capacity}; set the number of keys to keep ready " +
                $"from 0 (no pool for this key size) to {KeyPoolOptions.MaxCapacity}.");
        }
    }
}
