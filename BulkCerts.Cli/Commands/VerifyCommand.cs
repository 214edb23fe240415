using System.CommandLine;

namespace BulkCerts.Cli.Commands;

/// <summary>
/// <c>bulkcerts verify</c>: checks a zip that is already on disk, such as one downloaded with --no-verify.
/// </summary>
internal static class VerifyCommand
{
    public static Command Build(GlobalOptions global, CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "Zip of a task, as download or create wrote it" };
        var supplier = VerifyOptions.CreateSupplierOption();
        var authority = VerifyOptions.CreateAuthorityOption();
        var command = new Command("verify", "Verify every certificate of a zip against the CA chain and its private " +
            "key; the API is asked only for the CA chain")
        {
            file, supplier, authority,
        };

        command.SetGuardedAction(environment, async (parseResult, cancellationToken) =>
        {
            var path = Path.GetFullPath(parseResult.GetRequiredValue(file));
            if (!File.Exists(path))
            {
                throw new CliException(
                    $"'{path}' does not exist; give the path of a downloaded zip.", ExitCodes.FileError);
            }

            using var client = global.CreateClient(parseResult, environment);
            return await TaskResults.VerifyAsync(
                client,
                path,
                (parseResult.GetValue(authority), parseResult.GetValue(supplier)),
                expectedCount: null,
                environment,
                cancellationToken);
        });
        return command;
    }
}
