using BulkCerts.Cli;

return await BulkCertsCli.InvokeAsync(args, CliEnvironment.ForProcess());
