using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>Certification requests of the kinds devices send, made with .NET or BouncyCastle.</summary>
internal static class TestSigningRequests
{
    public const string Subject = "CN=sensor-17, O=Devices Inc, C=DE";

    public static byte[] Rsa(int bits, string subject = Subject, bool pss = false)
    {
        using var key = System.Security.Cryptography.RSA.Create(bits);
        var padding = pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, padding);
        AddNames(request);
        return request.CreateSigningRequest();
    }

    public static byte[] Ec(ECCurve curve, string subject = Subject)
    {
        using var key = ECDsa.Create(curve);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        AddNames(request);
        return request.CreateSigningRequest();
    }

    public static byte[] Ed25519(string subject = Subject)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var keyPair = generator.GenerateKeyPair();
        // X509Name encodes its names in the order written, .NET's names in the reverse order.
        var names = string.Join(",", subject.Split(", ").Reverse());
        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(
            X509Extensions.SubjectAlternativeName,
            false,
            new GeneralNames(new GeneralName(GeneralName.DnsName, "sensor-17.devices.example")));
        var attribute = new AttributePkcs(
            PkcsObjectIdentifiers.Pkcs9AtExtensionRequest,
            new DerSet(extensions.Generate()));
        var request = new Pkcs10CertificationRequest(
            new Asn1SignatureFactory("Ed25519", keyPair.Private),
            new X509Name(names),
            keyPair.Public,
            new DerSet(attribute));
        return request.GetEncoded();
    }

    /// <summary>Returns the request with the last byte of its signature changed.</summary>
    public static byte[] WithCorruptSignature(byte[] der)
    {
        var copy = (byte[])der.Clone();
        copy[^1] ^= 0x01;
        return copy;
    }

    /// <summary>Adds a subjectAltName, which is copied, and a basicConstraints CA:TRUE, which is not.</summary>
    private static void AddNames(CertificateRequest request)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("sensor-17.devices.example");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
    }
}
