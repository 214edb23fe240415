using BenchmarkDotNet.Running;
using BulkCerts.Benchmarks.EndToEnd;

return args.FirstOrDefault() switch
{
    "micro" => RunMicro(args[1..]),
    "e2e" => await Driver.RunAsync(args[1..]),
    _ => Usage(),
};

static int RunMicro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Driver).Assembly).Run(args);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        Usage:
          dotnet run -c Release --project BulkCerts.Benchmarks -- micro [BenchmarkDotNet options, e.g. --filter '*']
          dotnet run -c Release --project BulkCerts.Benchmarks -- e2e [scenario ...] [--rounds N] [--csrs N]
            [--set Key=Value ...]
        Scenarios: rsa, ec, csr, download, post, scale, keypool, openssl; none runs them all.
        """);
    return 2;
}
