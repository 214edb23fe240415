using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Storage;

/// <summary>
/// Encrypts chunk results, which contain private keys, before they reach Redis: AES-256-GCM with
/// the task and chunk ids as associated data, so a result copied to another task's key fails to
/// decrypt instead of being served there.
/// </summary>
/// <remarks>Layout: version byte, 12-byte nonce, 16-byte tag, ciphertext.</remarks>
public sealed class ResultProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    private readonly byte[] _key;

    public ResultProtector(IOptions<BulkCertsOptions> options, IHostEnvironment environment)
    {
        _key = ResultKeyLoader.Load(options.Value, environment.ContentRootPath);
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string taskId, int chunkId)
    {
        var output = new byte[HeaderSize + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(HeaderSize), output.AsSpan(1 + NonceSize, TagSize),
            AssociatedData(taskId, chunkId));
        return output;
    }

    /// <exception cref="CryptographicException">The data was altered, belongs to another chunk, or
    /// was encrypted under another key.</exception>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string taskId, int chunkId)
    {
        if (protectedData.Length < HeaderSize || protectedData[0] != FormatVersion)
        {
            throw new CryptographicException($"Stored result of task {taskId} chunk {chunkId} has an unknown format.");
        }

        var plaintext = new byte[protectedData.Length - HeaderSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(
            protectedData.Slice(1, NonceSize),
            protectedData[HeaderSize..],
            protectedData.Slice(1 + NonceSize, TagSize),
            plaintext,
            AssociatedData(taskId, chunkId));
        return plaintext;
    }

    private static byte[] AssociatedData(string taskId, int chunkId) => Encoding.UTF8.GetBytes($"{taskId}/{chunkId}");
}
