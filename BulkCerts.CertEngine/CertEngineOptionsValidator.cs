using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine;

/// <summary>Checks the settings that data annotations cannot express; each failure names its full key.</summary>
internal sealed class CertEngineOptionsValidator : IValidateOptions<CertEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, CertEngineOptions options)
    {
        const string Section = CertEngineOptions.SectionName;
        if (string.IsNullOrEmpty(options.ServiceCredential) && !options.AllowAnonymousCallers)
        {
            return ValidateOptionsResult.Fail(
                $"{Section}:ServiceCredential is empty. Set the secret that callers must present (the AppHost " +
                $"sets one for the Api), or set {Section}:AllowAnonymousCallers=true on an isolated machine only.");
        }

        if (options.ServiceCredential is { Length: > 0 and < 16 })
        {
            return ValidateOptionsResult.Fail(
                $"{Section}:ServiceCredential has {options.ServiceCredential.Length} characters; use at least 16 " +
                "random ones, for example from: openssl rand -hex 32");
        }

        var badCores = options.Cores.Where(core => core is < 0 or >= 1024).ToList();
        if (badCores.Count > 0)
        {
            return ValidateOptionsResult.Fail(
                $"{Section}:Cores holds {string.Join(", ", badCores)}; list core numbers from 0 to 1023, " +
                "or leave it empty to use every core.");
        }

        return ValidateOptionsResult.Success;
    }
}
