namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>Runs end-to-end scenarios against the app started from the AppHost.</summary>
public static class Driver
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.WriteLine($"scenarios: {string.Join(' ', args)}");
        return Task.FromResult(0);
    }
}
