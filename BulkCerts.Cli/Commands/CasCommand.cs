using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.Cli.Api;
using Spectre.Console;

namespace BulkCerts.Cli.Commands;

/// <summary><c>bulkcerts cas</c>: lists the CAs, or prints one CA's details and certificate chain.</summary>
internal static class CasCommand
{
    public static Command Build(GlobalOptions global, CliEnvironment environment)
    {
        var alias = new Argument<string?>("ALIAS")
        {
            Description = "Alias of one CA, to print its details and PEM chain",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var pemOnly = new Option<bool>("--pem")
        {
            Description = "With ALIAS, print only the PEM chain, for a trust store: " +
                "bulkcerts cas default --pem > ca.pem",
        };
        var command = new Command("cas", "List the certificate authorities and the suppliers each signs for, or " +
            "print one CA's details and certificate chain")
        {
            alias, pemOnly,
        };

        command.SetGuardedAction(environment, async (parseResult, cancellationToken) =>
        {
            using var client = global.CreateClient(parseResult, environment);
            if (parseResult.GetValue(alias) is not { } selected)
            {
                var authorities = await client.ListAuthoritiesAsync(cancellationToken);
                environment.Console.Write(ListTable(authorities));
                return ExitCodes.Success;
            }

            var pem = await client.GetAuthorityChainPemAsync(selected, cancellationToken);
            if (!parseResult.GetValue(pemOnly))
            {
                var authorities = await client.ListAuthoritiesAsync(cancellationToken);
                var summary = authorities.FirstOrDefault(authority =>
                    authority.Alias.Equals(selected, StringComparison.OrdinalIgnoreCase));
                foreach (var line in Details(summary, pem))
                {
                    environment.Console.WriteLine(line);
                }
            }

            environment.Output.Write(pem.EndsWith('\n') ? pem : pem + "\n");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Table ListTable(IEnumerable<CertificateAuthoritySummary> authorities)
    {
        var table = new Table()
            .AddColumns("Alias", "Subject", "Key algorithm", "Not before", "Not after", "Suppliers");
        foreach (var authority in authorities)
        {
            table.AddRow(
                new Text(authority.Alias),
                new Text(authority.Subject),
                new Text(authority.KeyAlgorithm),
                new Text(Date(authority.NotBefore)),
                new Text(Date(authority.NotAfter)),
                new Text(string.Join(", ", authority.Suppliers)));
        }

        return table;
    }

    /// <summary>Describes the CA and each certificate of its chain, with its SHA-256 fingerprint.</summary>
    private static List<string> Details(CertificateAuthoritySummary? summary, string pem)
    {
        var lines = new List<string>();
        if (summary is not null)
        {
            AddRow(lines, "Alias", summary.Alias);
            AddRow(lines, "Key algorithm", summary.KeyAlgorithm);
            AddRow(lines, "Suppliers", summary.Suppliers.Count > 0 ? string.Join(", ", summary.Suppliers) : "none");
        }

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        for (var index = 0; index < chain.Count; index++)
        {
            using var certificate = chain[index];
            var prefix = index == 0 ? "Certificate" : $"Issuer {index}";
            AddRow(lines, prefix, certificate.Subject);
            AddRow(lines, "  issued by", certificate.Issuer);
            AddRow(lines, "  valid", $"{Date(certificate.NotBefore)} to {Date(certificate.NotAfter)}");
            AddRow(lines, "  SHA-256", Convert.ToHexString(SHA256.HashData(certificate.RawData)));
        }

        return lines;
    }

    private static string Date(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Date(DateTime time) => Date(new DateTimeOffset(time));

    private static void AddRow(List<string> lines, string name, string value) => lines.Add($"{name,-13} {value}");
}
