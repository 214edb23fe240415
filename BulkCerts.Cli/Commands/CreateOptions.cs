using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json.Nodes;

namespace BulkCerts.Cli.Commands;

/// <summary>The options of <c>bulkcerts create</c> that make up the request body.</summary>
internal sealed class CreateOptions
{
    public static readonly string[] KeyAlgorithms =
        ["RSA-2048", "RSA-3072", "RSA-4096", "EC-P256", "EC-P384", "Ed25519", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"];

    public CreateOptions()
    {
        Quantity.Validators.Add(RequireAtLeastOne);
        Days.Validators.Add(RequireAtLeastOne);
        KeyAlgorithm.CompletionSources.Add(KeyAlgorithms);
    }

    public Option<int> Quantity { get; } = new("--quantity", "-n")
    {
        Description = "Number of certificates to issue, from 1 to the API's maximum (BulkCerts:MaxQuantity)",
        HelpName = "N",
        Required = true,
    };

    public Option<string> Supplier { get; } = new("--supplier")
    {
        Description = "Supplier id; the API signs with the CA it maps the supplier to " +
            "(POST /supplier/{id}/certificates)",
        HelpName = "ID",
    };

    public Option<string> CommonName { get; } = new("--common-name")
    {
        Description = "Common name, or a template such as '`dev-`0001${increment}' that numbers the " +
            "certificates [default: the API's BulkCerts:Defaults:CommonName]",
        HelpName = "TEMPLATE",
    };

    public Option<string> KeyAlgorithm { get; } = new("--key-algorithm")
    {
        Description = $"Device key algorithm: {string.Join(", ", KeyAlgorithms)} [default: RSA-2048]",
        HelpName = "ALGORITHM",
    };

    public Option<int?> Days { get; } = new("--days")
    {
        Description = "Validity in days, from 1 to 825 [default: the API's BulkCerts:DefaultDaysExpiry]",
        HelpName = "DAYS",
    };

    public Option<bool> IncludeCa { get; } = new("--include-ca")
    {
        Description = "Append the CA chain to each certificate file",
    };

    public Option<string> Organization { get; } = new("--organization")
    {
        Description = "Organization (O) of the subject",
        HelpName = "NAME",
    };

    public Option<string> Country { get; } = new("--country")
    {
        Description = "Country (C) of the subject: two letters (ISO 3166-1 alpha-2)",
        HelpName = "CC",
    };

    public Option<bool> Pkcs8 { get; } = new("--pkcs8")
    {
        Description = "Write every private key as PKCS#8; without it RSA keys are PKCS#1",
    };

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])
            [Quantity, Supplier, CommonName, KeyAlgorithm, Days, IncludeCa, Organization, Country, Pkcs8])
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Returns the request's <c>certInfo</c>, with only the fields that were given.</summary>
    public JsonObject ReadCertInfo(ParseResult parseResult)
    {
        var certInfo = new JsonObject();
        AddIfSet(certInfo, "commonName", parseResult.GetValue(CommonName));
        AddIfSet(certInfo, "keyAlgorithm", parseResult.GetValue(KeyAlgorithm));
        AddIfSet(certInfo, "organization", parseResult.GetValue(Organization));
        AddIfSet(certInfo, "country", parseResult.GetValue(Country));
        if (parseResult.GetValue(Days) is { } days)
        {
            certInfo["daysExpiry"] = days;
        }

        if (parseResult.GetValue(IncludeCa))
        {
            certInfo["includeCA"] = true;
        }

        if (parseResult.GetValue(Pkcs8))
        {
            certInfo["privateKeyFormat"] = "pkcs8";
        }

        return certInfo;
    }

    /// <summary>Rejects a whole number below 1; a value that is not a number gets the parser's own error.</summary>
    private static void RequireAtLeastOne(OptionResult result)
    {
        if (result.Tokens is [var token] && int.TryParse(token.Value, out var value) && value < 1)
        {
            result.AddError($"{result.Option.Name} must be at least 1, not {value}.");
        }
    }

    private static void AddIfSet(JsonObject certInfo, string name, string? value)
    {
        if (value is not null)
        {
            certInfo[name] = value;
        }
    }
}
