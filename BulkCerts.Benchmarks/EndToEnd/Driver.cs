using System.Globalization;
using System.Runtime.InteropServices;

namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>
/// Measures tasks through the whole app, started from the AppHost, and compares each figure with
/// a reference measured in the same run on the same cores.
/// </summary>
public static class Driver
{
    private static readonly string[] AllScenarios =
        ["rsa", "ec", "csr", "download", "post", "keypool", "scale", "openssl", "delivery"];

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = ReadOption(args, "--rounds", 2);
        var csrCount = ReadOption(args, "--csrs", 10_000);
        string[] valueOptions = ["--rounds", "--set", "--csrs"];
        var scenarios = args.Where((arg, i) => !arg.StartsWith("--", StringComparison.Ordinal)
            && (i == 0 || !valueOptions.Contains(args[i - 1]))).ToList();

        // AppHost settings for every app the driver starts, to compare chunk sizes, for example.
        var settings = args.Where((_, i) => i > 0 && args[i - 1] == "--set").ToList();
        var unknownOptions = args.Where(arg => arg.StartsWith("--", StringComparison.Ordinal)
            && !valueOptions.Contains(arg)).ToList();
        if (unknownOptions.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"Unknown option {string.Join(", ", unknownOptions)}; use --rounds N, --csrs N and --set Key=Value.");
            return 2;
        }

        var unknown = scenarios.Except(AllScenarios).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync(
                $"Unknown scenario {string.Join(", ", unknown)}; use {string.Join(", ", AllScenarios)}.");
            return 2;
        }

        if (rounds is not > 0)
        {
            await Console.Error.WriteLineAsync(
                $"Invalid --rounds value '{OptionText(args, "--rounds")}'; use a whole number of 1 or more.");
            return 2;
        }

        if (csrCount is not > 0)
        {
            await Console.Error.WriteLineAsync(
                $"Invalid --csrs value '{OptionText(args, "--csrs")}'; use a whole number of 1 or more.");
            return 2;
        }

        if (scenarios.Count == 0)
        {
            scenarios = [.. AllScenarios];
        }

        PrintMachine();
        Console.WriteLine($"settings: {(settings.Count == 0 ? "defaults" : string.Join(' ', settings))}");
        var report = new Report();
        var root = FindRepositoryRoot();
        var dataPath = Directory.CreateTempSubdirectory("bulkcerts-bench-").FullName;
        try
        {
            var scenarioRun = new Scenarios(root, dataPath, rounds.Value, settings, report)
            {
                CsrCount = csrCount.Value,
            };
            foreach (var scenario in AllScenarios.Where(scenarios.Contains))
            {
                Console.WriteLine($"## {scenario}");
                await scenarioRun.RunAsync(scenario);
            }
        }
        finally
        {
            await Scenarios.StopAppAsync();
            Directory.Delete(dataPath, recursive: true);
        }

        report.Print();
        return 0;
    }

    /// <summary>Returns the number after option <paramref name="name"/>, the fallback without it, or null when it is not one.</summary>
    private static int? ReadOption(string[] args, string name, int fallback)
    {
        if (Array.IndexOf(args, name) < 0)
        {
            return fallback;
        }

        return int.TryParse(OptionText(args, name), CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string OptionText(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : string.Empty;
    }

    private static void PrintMachine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1].Trim()
            : null;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {model ?? "unknown processor"}, " +
            $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}");
#if DEBUG
        Console.WriteLine("warning: this is a Debug build; run with -c Release for figures worth comparing.");
#endif
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BulkCerts.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run the driver from a build inside the BulkCerts repository.");
    }
}

/// <summary>The figures of one run, printed as a table at the end.</summary>
internal sealed class Report
{
    private readonly List<(string Figure, string Value, string Reference, string Goal, bool Met)> _rows = [];

    public void Add(string figure, string value, string reference, string goal, bool met)
    {
        _rows.Add((figure, value, reference, goal, met));
        Console.WriteLine($"  {figure}: {value} ({reference}); goal {goal}: {(met ? "met" : "NOT MET")}");
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| Figure | Measured | Reference in the same run | Goal | |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var row in _rows)
        {
            Console.WriteLine($"| {row.Figure} | {row.Value} | {row.Reference} | {row.Goal} | {(row.Met ? "met" : "not met")} |");
        }
    }
}
