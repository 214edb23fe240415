using BulkCerts.CertEngine.V1;

namespace BulkCerts.Api.Certificates;

/// <summary>The key algorithms a request may name in <c>certInfo.keyAlgorithm</c>, case-insensitively.</summary>
public static class KeyAlgorithms
{
    public const string Default = "RSA-2048";

    private static readonly Dictionary<string, KeyAlgorithm> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RSA-2048"] = KeyAlgorithm.Rsa2048,
        ["RSA-3072"] = KeyAlgorithm.Rsa3072,
        ["RSA-4096"] = KeyAlgorithm.Rsa4096,
        ["EC-P256"] = KeyAlgorithm.EcP256,
        ["EC-P384"] = KeyAlgorithm.EcP384,
        ["Ed25519"] = KeyAlgorithm.Ed25519,
        ["ML-DSA-44"] = KeyAlgorithm.MlDsa44,
        ["ML-DSA-65"] = KeyAlgorithm.MlDsa65,
        ["ML-DSA-87"] = KeyAlgorithm.MlDsa87,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>Returns the canonical spelling of <paramref name="name"/>, or null when it is unknown.</summary>
    public static string? Canonical(string name) =>
        ByName.Keys.FirstOrDefault(key => key.Equals(name, StringComparison.OrdinalIgnoreCase));

    public static KeyAlgorithm ToProto(string name) => ByName[name];
}
