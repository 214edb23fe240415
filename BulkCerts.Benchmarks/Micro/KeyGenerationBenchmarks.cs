using BenchmarkDotNet.Attributes;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>Cost of one device key pair, generated as the engine generates it.</summary>
/// <remarks>
/// The time to generate an RSA key varies widely with the number of candidate primes tried, so this
/// class runs twice the usual number of iterations.
/// </remarks>
[MicroJob(iterationCount: 30)]
[MemoryDiagnoser]
public class KeyGenerationBenchmarks
{
    // .NET generates an RSA key only when it is first used. The DotNetDeviceKey constructor reads
    // the public key, so each call below includes the whole generation.
    [Benchmark]
    public void Rsa2048()
    {
        using var key = DeviceKeyGenerator.Generate(KeyAlgorithm.Rsa2048);
    }

    [Benchmark]
    public void EcP256()
    {
        using var key = DeviceKeyGenerator.Generate(KeyAlgorithm.EcP256);
    }
}
