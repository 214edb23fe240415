using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BulkCerts.CertEngine.V1;
using Google.Protobuf;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// Cost of storing and reading back one chunk result of 100 P-256 certificates: protobuf
/// serialization and AES-256-GCM encryption, in the layout of the Api's ResultProtector.
/// </summary>
[MicroJob]
[MemoryDiagnoser]
public class ChunkResultBenchmarks
{
    private const int KeyIdSize = 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize + TagSize;
    private const string TaskId = "0f8fad5bd9cb469fa16570867728950e";
    private const int ChunkId = 1;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private IssueCertificatesResponse _chunk = null!;
    private byte[] _serialized = null!;
    private byte[] _encrypted = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var authority = MicroFixtures.CreateAuthority(KeyAlgorithm.Rsa2048);
        _chunk = MicroFixtures.IssueChunk(authority, KeyAlgorithm.EcP256);
        _serialized = _chunk.ToByteArray();
        _encrypted = Encrypt();
        Console.WriteLine($"// Chunk of {_chunk.Certificates.Count} certificates: {_serialized.Length} bytes " +
            $"as protobuf, {_encrypted.Length} bytes encrypted");
    }

    [Benchmark]
    public byte[] Serialize() => _chunk.ToByteArray();

    [Benchmark]
    public byte[] Encrypt()
    {
        var output = new byte[HeaderSize + _serialized.Length];
        output[0] = 2;
        var nonce = output.AsSpan(1 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, _serialized, output.AsSpan(HeaderSize), output.AsSpan(HeaderSize - TagSize, TagSize),
            AssociatedData());
        return output;
    }

    [Benchmark]
    public byte[] Decrypt()
    {
        var plaintext = new byte[_encrypted.Length - HeaderSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(
            _encrypted.AsSpan(1 + KeyIdSize, NonceSize),
            _encrypted.AsSpan(HeaderSize),
            _encrypted.AsSpan(HeaderSize - TagSize, TagSize),
            plaintext,
            AssociatedData());
        return plaintext;
    }

    [Benchmark]
    public IssueCertificatesResponse Parse() => IssueCertificatesResponse.Parser.ParseFrom(_serialized);

    private static byte[] AssociatedData() => Encoding.UTF8.GetBytes($"{TaskId}/{ChunkId}");
}
