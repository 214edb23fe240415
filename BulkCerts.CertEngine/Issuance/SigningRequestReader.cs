using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Authorities;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Reads a PKCS#10 certification request (RFC 2986), checks its signature and accepts only the
/// device keys the engine issues for: RSA of at least 2048 bits, EC P-256 or P-384, and Ed25519.
/// </summary>
/// <remarks>
/// The request is decoded here rather than by <see cref="CertificateRequest.LoadSigningRequest(byte[],
/// HashAlgorithmName, CertificateRequestLoadOptions, RSASignaturePadding)"/>, because verifying the
/// signature needs the exact bytes of certificationRequestInfo, which that method does not expose.
/// </remarks>
public static class SigningRequestReader
{
    public const int MinRsaKeyBits = 2048;

    private const string ExtensionRequest = "1.2.840.113549.1.9.14";
    private const string SubjectAltName = "2.5.29.17";
    private const string P256 = "1.2.840.10045.3.1.7";
    private const string P384 = "1.3.132.0.34";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string Mgf1 = "1.2.840.113549.1.1.8";

    private static readonly Dictionary<string, string> CurveNames = new()
    {
        [P256] = "P-256",
        [P384] = "P-384",
        ["1.3.132.0.35"] = "P-521",
        ["1.3.132.0.10"] = "secp256k1",
        ["1.3.36.3.3.2.8.1.1.7"] = "brainpoolP256r1",
    };

    private static readonly Dictionary<string, HashAlgorithmName> HashAlgorithms = new()
    {
        ["2.16.840.1.101.3.4.2.1"] = HashAlgorithmName.SHA256,
        ["2.16.840.1.101.3.4.2.2"] = HashAlgorithmName.SHA384,
        ["2.16.840.1.101.3.4.2.3"] = HashAlgorithmName.SHA512,
    };

    // Signature algorithms by OID: the key type they need and their hash (none for Ed25519).
    private static readonly Dictionary<string, (string KeyOid, HashAlgorithmName Hash)> SignatureAlgorithms = new()
    {
        ["1.2.840.113549.1.1.11"] = (Oids.Rsa, HashAlgorithmName.SHA256),
        ["1.2.840.113549.1.1.12"] = (Oids.Rsa, HashAlgorithmName.SHA384),
        ["1.2.840.113549.1.1.13"] = (Oids.Rsa, HashAlgorithmName.SHA512),
        ["1.2.840.10045.4.3.2"] = (Oids.EcPublicKey, HashAlgorithmName.SHA256),
        ["1.2.840.10045.4.3.3"] = (Oids.EcPublicKey, HashAlgorithmName.SHA384),
        ["1.2.840.10045.4.3.4"] = (Oids.EcPublicKey, HashAlgorithmName.SHA512),
        [Oids.Ed25519] = (Oids.Ed25519, default),
    };

    /// <summary>Decodes and checks a request.</summary>
    /// <exception cref="SigningRequestException">
    /// The request cannot be signed; its message states the reason.
    /// </exception>
    public static SigningRequestContent Read(ReadOnlyMemory<byte> der)
    {
        if (der.IsEmpty)
        {
            throw new SigningRequestException(
                "not a PKCS#10 request: it is empty, or its PEM is not exactly one block labelled " +
                "CERTIFICATE REQUEST with valid base64");
        }

        SigningRequestContent content;
        try
        {
            content = Decode(der);
        }
        catch (AsnContentException exception)
        {
            throw new SigningRequestException($"not a PKCS#10 request: {exception.Message}");
        }
        catch (CryptographicException exception)
        {
            throw new SigningRequestException($"not a PKCS#10 request: {exception.Message}");
        }

        CheckKeyAndSignature(content);
        return content;
    }

    private static SigningRequestContent Decode(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var request = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        var info = request.PeekEncodedValue();
        var infoReader = request.ReadSequence();
        var signatureAlgorithm = request.ReadSequence();
        var signatureAlgorithmOid = signatureAlgorithm.ReadObjectIdentifier();
        var signatureParameters = signatureAlgorithm.HasData ? signatureAlgorithm.ReadEncodedValue() : default;
        var signature = request.ReadBitString(out var unusedBits);
        request.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw new AsnContentException("the signature is not a whole number of bytes");
        }

        if (!infoReader.TryReadInt32(out var version) || version != 0)
        {
            throw new AsnContentException("its version is not 1 (0)");
        }

        var subject = infoReader.ReadEncodedValue();
        _ = new X500DistinguishedName(subject.Span);
        var publicKeyInfo = infoReader.ReadEncodedValue();
        var publicKeyReader = new AsnReader(publicKeyInfo, AsnEncodingRules.DER).ReadSequence();
        var keyAlgorithm = publicKeyReader.ReadSequence();
        var keyOid = keyAlgorithm.ReadObjectIdentifier();
        var keyParameters = keyAlgorithm.HasData ? keyAlgorithm.ReadEncodedValue() : default;
        var publicKey = publicKeyReader.ReadBitString(out _);

        X509Extension? subjectAltName = null;
        if (infoReader.HasData)
        {
            subjectAltName = ReadSubjectAltName(infoReader.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 0)));
        }

        infoReader.ThrowIfNotEmpty();
        return new SigningRequestContent(
            info,
            subject,
            publicKeyInfo,
            keyOid,
            keyParameters,
            publicKey,
            signatureAlgorithmOid,
            signatureParameters,
            signature,
            subjectAltName);
    }

    /// <summary>Returns the subjectAltName of the extensionRequest attribute, the only extension copied.</summary>
    private static X509Extension? ReadSubjectAltName(AsnReader attributes)
    {
        X509Extension? found = null;
        while (attributes.HasData)
        {
            var attribute = attributes.ReadSequence();
            if (attribute.ReadObjectIdentifier() != ExtensionRequest)
            {
                continue;
            }

            var values = attribute.ReadSetOf();
            var extensions = values.ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
                var value = extension.ReadOctetString();
                if (oid == SubjectAltName)
                {
                    found = new X509SubjectAlternativeNameExtension(value, critical);
                }
            }
        }

        return found;
    }

    private static void CheckKeyAndSignature(SigningRequestContent content)
    {
        var signedData = content.Info.Span;
        var signature = content.Signature.Span;
        if (content.SignatureAlgorithm == RsaPss)
        {
            using var rsa = ImportRsa(content);
            VerifyPss(rsa, content, signedData, signature);
            return;
        }

        if (!SignatureAlgorithms.TryGetValue(content.SignatureAlgorithm, out var algorithm))
        {
            throw new SigningRequestException(
                $"signature algorithm {content.SignatureAlgorithm} is not supported; sign with SHA-256, SHA-384 or " +
                "SHA-512 and RSA (PKCS#1 v1.5 or PSS), ECDSA, or with Ed25519");
        }

        if (algorithm.KeyOid != content.KeyAlgorithm)
        {
            throw new SigningRequestException(
                $"signature algorithm {content.SignatureAlgorithm} does not match the key algorithm " +
                content.KeyAlgorithm);
        }

        var valid = content.KeyAlgorithm switch
        {
            Oids.Rsa => VerifyRsa(content, signedData, signature, algorithm.Hash),
            Oids.EcPublicKey => VerifyEc(content, signedData, signature, algorithm.Hash),
            _ => VerifyEd25519(content, signedData, signature),
        };
        if (!valid)
        {
            throw new SigningRequestException("signature does not verify");
        }
    }

    private static RSA ImportRsa(SigningRequestContent content)
    {
        if (content.KeyAlgorithm != Oids.Rsa)
        {
            throw new SigningRequestException(
                $"key algorithm {content.KeyAlgorithm} is not supported; use RSA, EC P-256 or P-384, or Ed25519");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(content.PublicKeyInfo.Span, out _);
        }
        catch (CryptographicException exception)
        {
            rsa.Dispose();
            throw new SigningRequestException($"the RSA public key cannot be read: {exception.Message}");
        }

        if (rsa.KeySize < MinRsaKeyBits)
        {
            var bits = rsa.KeySize;
            rsa.Dispose();
            throw new SigningRequestException(
                $"RSA key of {bits} bits; at least {MinRsaKeyBits} bits are required");
        }

        return rsa;
    }

    private static bool VerifyRsa(
        SigningRequestContent content,
        ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> signature,
        HashAlgorithmName hash)
    {
        using var rsa = ImportRsa(content);
        return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
    }

    /// <summary>
    /// Verifies RSASSA-PSS through BouncyCastle, which takes any salt length; .NET's verifier
    /// requires a salt as long as the hash.
    /// </summary>
    private static void VerifyPss(
        RSA rsa,
        SigningRequestContent content,
        ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> signature)
    {
        var (hash, mgfHash, saltLength) = ReadPssParameters(content.SignatureParameters);
        if (hash != mgfHash)
        {
            throw new SigningRequestException(
                $"RSASSA-PSS with hash {hash.Name} and MGF1 hash {mgfHash.Name}; use the same hash for both");
        }

        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var key = new RsaKeyParameters(
            false,
            new BigInteger(1, parameters.Modulus),
            new BigInteger(1, parameters.Exponent));
        var signer = new PssSigner(new RsaBlindedEngine(), CreateDigest(hash), CreateDigest(mgfHash), saltLength);
        signer.Init(false, key);
        signer.BlockUpdate(data);
        if (!signer.VerifySignature(signature.ToArray()))
        {
            throw new SigningRequestException("signature does not verify");
        }
    }

    /// <summary>Reads RSASSA-PSS-params (RFC 4055), rejecting the SHA-1 defaults.</summary>
    private static (HashAlgorithmName Hash, HashAlgorithmName MgfHash, int SaltLength) ReadPssParameters(
        ReadOnlyMemory<byte> encoded)
    {
        const string Advice = "RSASSA-PSS needs explicit parameters with SHA-256, SHA-384 or SHA-512";
        if (encoded.IsEmpty)
        {
            throw new SigningRequestException($"{Advice}; the request has none");
        }

        try
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.DER).ReadSequence();
            HashAlgorithmName? hash = null;
            HashAlgorithmName? mgfHash = null;
            var saltLength = 20;
            if (reader.HasData && reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                hash = ReadHash(reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence());
            }

            if (reader.HasData && reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                var mgf = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence();
                if (mgf.ReadObjectIdentifier() != Mgf1)
                {
                    throw new SigningRequestException($"{Advice} and MGF1");
                }

                mgfHash = ReadHash(mgf.ReadSequence());
            }

            if (reader.HasData && reader.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                if (!reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2)).TryReadInt32(out saltLength)
                    || saltLength < 0)
                {
                    throw new SigningRequestException($"{Advice} and a salt length from 0 to 2^31-1");
                }
            }

            if (hash is null || mgfHash is null)
            {
                throw new SigningRequestException($"{Advice}; the request uses the SHA-1 default");
            }

            return (hash.Value, mgfHash.Value, saltLength);
        }
        catch (AsnContentException exception)
        {
            throw new SigningRequestException($"{Advice}; they cannot be read: {exception.Message}");
        }
    }

    private static HashAlgorithmName ReadHash(AsnReader algorithmIdentifier)
    {
        var oid = algorithmIdentifier.ReadObjectIdentifier();
        return HashAlgorithms.TryGetValue(oid, out var hash)
            ? hash
            : throw new SigningRequestException(
                $"hash algorithm {oid} is not supported; use SHA-256, SHA-384 or SHA-512");
    }

    private static Org.BouncyCastle.Crypto.IDigest CreateDigest(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? new Sha256Digest()
        : hash == HashAlgorithmName.SHA384 ? new Sha384Digest()
        : new Sha512Digest();

    private static bool VerifyEc(
        SigningRequestContent content,
        ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> signature,
        HashAlgorithmName hash)
    {
        var curve = content.KeyParameters.IsEmpty
            ? string.Empty
            : new AsnReader(content.KeyParameters, AsnEncodingRules.DER).ReadObjectIdentifier();
        if (curve is not (P256 or P384))
        {
            var name = CurveNames.TryGetValue(curve, out var known) ? $"{known} ({curve})" : curve;
            throw new SigningRequestException(
                $"EC key on curve {(name.Length == 0 ? "(unnamed)" : name)}; only P-256 and P-384 are accepted");
        }

        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(content.PublicKeyInfo.Span, out _);
        }
        catch (CryptographicException exception)
        {
            throw new SigningRequestException($"the EC public key cannot be read: {exception.Message}");
        }

        return ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static bool VerifyEd25519(
        SigningRequestContent content,
        ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> signature)
    {
        if (content.KeyAlgorithm != Oids.Ed25519)
        {
            throw new SigningRequestException(
                $"key algorithm {content.KeyAlgorithm} is not supported; use RSA, EC P-256 or P-384, or Ed25519");
        }

        if (content.PublicKey.Length != Ed25519PublicKeyParameters.KeySize)
        {
            throw new SigningRequestException(
                $"Ed25519 public key of {content.PublicKey.Length} bytes; it must have " +
                $"{Ed25519PublicKeyParameters.KeySize}");
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(content.PublicKey.Span));
        verifier.BlockUpdate(data);
        return verifier.VerifySignature(signature.ToArray());
    }
}

/// <summary>The parts of a decoded certification request that signing needs.</summary>
public sealed record SigningRequestContent(
    ReadOnlyMemory<byte> Info,
    ReadOnlyMemory<byte> Subject,
    ReadOnlyMemory<byte> PublicKeyInfo,
    string KeyAlgorithm,
    ReadOnlyMemory<byte> KeyParameters,
    ReadOnlyMemory<byte> PublicKey,
    string SignatureAlgorithm,
    ReadOnlyMemory<byte> SignatureParameters,
    ReadOnlyMemory<byte> Signature,
    X509Extension? SubjectAltName)
{
    /// <summary>keyEncipherment applies to RSA only, as for generated device keys.</summary>
    public X509KeyUsageFlags KeyUsage => KeyAlgorithm == Oids.Rsa
        ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
        : X509KeyUsageFlags.DigitalSignature;
}

/// <summary>A certification request that cannot be signed; the message is the row's error.</summary>
public sealed class SigningRequestException(string message) : Exception(message);
