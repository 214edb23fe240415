using System.Security.Cryptography;
using BulkCerts.CertEngine.V1;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace BulkCerts.CertEngine.DeviceKeys;

/// <summary>
/// Generates device key pairs. RSA and EC use .NET, which is faster for RSA. Ed25519 and ML-DSA
/// (FIPS 204) use BouncyCastle: .NET has no Ed25519, and its ML-DSA on Linux goes through OpenSSL,
/// which has ML-DSA from version 3.5 on.
/// </summary>
public static class DeviceKeyGenerator
{
    // SecureRandom is not documented as safe for concurrent use, so each thread gets its own.
    private static readonly ThreadLocal<SecureRandom> Random = new(() => new SecureRandom());

    /// <summary>
    /// Takes a pre-generated key of <paramref name="algorithm"/> from <paramref name="keyPool"/>
    /// when it has one, and generates a key otherwise.
    /// </summary>
    public static DeviceKey Generate(KeyAlgorithm algorithm, RsaKeyPool? keyPool) =>
        keyPool is not null && keyPool.TryTake(algorithm, out var key) ? key : Generate(algorithm);

    public static DeviceKey Generate(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Unspecified or KeyAlgorithm.Rsa2048 => new DotNetDeviceKey(RSA.Create(2048)),
        KeyAlgorithm.Rsa3072 => new DotNetDeviceKey(RSA.Create(3072)),
        KeyAlgorithm.Rsa4096 => new DotNetDeviceKey(RSA.Create(4096)),
        KeyAlgorithm.EcP256 => new DotNetDeviceKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        KeyAlgorithm.EcP384 => new DotNetDeviceKey(ECDsa.Create(ECCurve.NamedCurves.nistP384)),
        KeyAlgorithm.Ed25519 => new BouncyCastleDeviceKey(GenerateEd25519()),
        KeyAlgorithm.MlDsa44 => new BouncyCastleDeviceKey(GenerateMLDsa(MLDsaParameters.ml_dsa_44)),
        KeyAlgorithm.MlDsa65 => new BouncyCastleDeviceKey(GenerateMLDsa(MLDsaParameters.ml_dsa_65)),
        KeyAlgorithm.MlDsa87 => new BouncyCastleDeviceKey(GenerateMLDsa(MLDsaParameters.ml_dsa_87)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported key algorithm."),
    };

    private static AsymmetricCipherKeyPair GenerateEd25519()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(Random.Value!));
        return generator.GenerateKeyPair();
    }

    private static AsymmetricCipherKeyPair GenerateMLDsa(MLDsaParameters parameters)
    {
        var generator = new MLDsaKeyPairGenerator();
        generator.Init(new MLDsaKeyGenerationParameters(Random.Value!, parameters));
        return generator.GenerateKeyPair();
    }
}
