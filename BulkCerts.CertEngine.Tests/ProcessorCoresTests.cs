namespace BulkCerts.CertEngine.Tests;

public sealed class ProcessorCoresTests
{
    private const string Credential = "service-credential-5f0c9a7e21d4";

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    public void CoreOutOfRangeFailsStart(int core)
    {
        var options = new CertEngineOptions { ServiceCredential = Credential, Cores = [0, core] };

        var result = new CertEngineOptionsValidator().Validate(name: null, options);

        Assert.True(result.Failed);
        Assert.Contains($"CertEngine:Cores holds {core}; list core numbers from 0 to 1023", result.FailureMessage);
    }

    [Fact]
    public void CoresSetTheParallelism()
    {
        var options = new CertEngineOptions { Cores = [1, 3, 3] };

        Assert.Equal(2, options.EffectiveDegreeOfParallelism);
    }

    [Fact]
    public void ExplicitParallelismWinsOverCores()
    {
        var options = new CertEngineOptions { Cores = [1], MaxDegreeOfParallelism = 4 };

        Assert.Equal(4, options.EffectiveDegreeOfParallelism);
    }
}
