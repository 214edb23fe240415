namespace BulkCerts.Tests.Support;

/// <summary>
/// A long test that runs only when the environment variable <c>BULKCERTS_SOAK</c> is 1, so that
/// <c>dotnet test</c> stays quick: <c>BULKCERTS_SOAK=1 dotnet test --filter Category=Soak</c>.
/// </summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public const string Variable = "BULKCERTS_SOAK";

    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"Soak test; set {Variable}=1 to run it.";
        }
    }
}
