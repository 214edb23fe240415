using System.CommandLine;

namespace BulkCerts.Cli.Commands;

/// <summary>The options of the commands that download a zip and verify it.</summary>
internal sealed class VerifyOptions
{
    public Option<string> Out { get; } = new("--out", "-o")
    {
        Description = "File to write the zip of certificates and private keys to; created readable by its owner only",
        HelpName = "FILE",
        Required = true,
    };

    public Option<bool> NoVerify { get; } = new("--no-verify")
    {
        Description = "Skip the check of each certificate against the CA chain and its private key",
    };

    public Option<string> Authority { get; } = CreateAuthorityOption();

    public static Option<string> CreateAuthorityOption() => new("--ca")
    {
        Description = "Alias of the CA to verify against; by default the supplier's CA, else the CA whose " +
            "subject is the certificates' issuer, else 'default'",
        HelpName = "ALIAS",
    };

    /// <summary>The --supplier of the commands that do not create: it selects the CA to verify against.</summary>
    public static Option<string> CreateSupplierOption() => new("--supplier")
    {
        Description = "Supplier the task was created for, to verify against the supplier's CA",
        HelpName = "ID",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Out);
        command.Options.Add(NoVerify);
        command.Options.Add(Authority);
    }
}
