using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Storage;

/// <summary>
/// Encrypts chunk results, which contain private keys, before they reach Redis: AES-256-GCM with
/// the task and chunk ids as associated data, so a result copied to another task's key fails to
/// decrypt instead of being served there. New results use the current key. Results stored under a
/// previous key stay readable while that key is listed, so a key can be rotated without losing
/// tasks.
/// </summary>
/// <remarks>
/// Layout: version byte 2, 4-byte key id (the start of the key's SHA-256), 12-byte nonce, 16-byte
/// tag, ciphertext. Version 1, without the key id, is still read.
/// </remarks>
public sealed class ResultProtector
{
    private const byte LegacyVersion = 1;
    private const byte FormatVersion = 2;
    private const int KeyIdSize = 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int LegacyHeaderSize = 1 + NonceSize + TagSize;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize + TagSize;

    private readonly byte[] _key;
    private readonly byte[] _keyId;
    private readonly IReadOnlyList<byte[]> _readableKeys;

    public ResultProtector(IOptions<BulkCertsOptions> options, IHostEnvironment environment)
    {
        var keys = ResultKeyLoader.Load(options.Value, environment.ContentRootPath);
        _key = keys[0];
        _keyId = KeyId(_key);
        _readableKeys = keys;
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string taskId, int chunkId) =>
        Protect(plaintext, AssociatedData(taskId, chunkId));

    /// <summary>
    /// Encrypts a task's PKCS#12 password like a result, with associated data of its own purpose and the
    /// task id, so a password never decrypts as a chunk result or as another task's password.
    /// </summary>
    public byte[] ProtectPassword(string password, string taskId)
    {
        var plaintext = Encoding.UTF8.GetBytes(password);
        try
        {
            return Protect(plaintext, PasswordAssociatedData(taskId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <exception cref="CryptographicException">The password was altered, belongs to another task, or
    /// was encrypted under a key that is no longer configured.</exception>
    public string UnprotectPassword(ReadOnlySpan<byte> protectedData, string taskId)
    {
        var plaintext = new byte[protectedData.Length];
        try
        {
            var length = Unprotect(protectedData, PasswordAssociatedData(taskId), $"PKCS#12 password of task {taskId}",
                plaintext);
            return Encoding.UTF8.GetString(plaintext, 0, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private byte[] Protect(ReadOnlySpan<byte> plaintext, byte[] associatedData)
    {
        var output = new byte[HeaderSize + plaintext.Length];
        output[0] = FormatVersion;
        _keyId.CopyTo(output.AsSpan(1, KeyIdSize));
        var nonce = output.AsSpan(1 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(HeaderSize), output.AsSpan(1 + KeyIdSize + NonceSize, TagSize),
            associatedData);
        return output;
    }

    /// <exception cref="CryptographicException">The data was altered, belongs to another chunk, or
    /// was encrypted under a key that is no longer configured.</exception>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string taskId, int chunkId)
    {
        var plaintext = new byte[protectedData.Length];
        return plaintext[..Unprotect(protectedData, taskId, chunkId, plaintext)];
    }

    /// <summary>
    /// Decrypts into <paramref name="destination"/>, which must be at least as long as
    /// <paramref name="protectedData"/>, and returns the length of the plaintext.
    /// </summary>
    /// <exception cref="CryptographicException">The data was altered, belongs to another chunk, or
    /// was encrypted under a key that is no longer configured.</exception>
    public int Unprotect(ReadOnlySpan<byte> protectedData, string taskId, int chunkId, Span<byte> destination) =>
        Unprotect(
            protectedData,
            AssociatedData(taskId, chunkId),
            $"Stored result of task {taskId} chunk {chunkId}",
            destination);

    private int Unprotect(
        ReadOnlySpan<byte> protectedData,
        byte[] associatedData,
        string description,
        Span<byte> destination)
    {
        var (headerSize, candidates) = protectedData switch
        {
            [FormatVersion, ..] when protectedData.Length >= HeaderSize =>
                (HeaderSize, FindKeys(protectedData.Slice(1, KeyIdSize))),
            [LegacyVersion, ..] when protectedData.Length >= LegacyHeaderSize => (LegacyHeaderSize, _readableKeys),
            _ => throw new CryptographicException($"{description} has an unknown format."),
        };

        var nonce = protectedData.Slice(headerSize - TagSize - NonceSize, NonceSize);
        var tag = protectedData.Slice(headerSize - TagSize, TagSize);
        var plaintext = destination[..(protectedData.Length - headerSize)];
        foreach (var key in candidates)
        {
            using var aes = new AesGcm(key, TagSize);
            try
            {
                aes.Decrypt(nonce, protectedData[headerSize..], tag, plaintext, associatedData);
                return plaintext.Length;
            }
            catch (AuthenticationTagMismatchException) when (key != candidates[^1])
            {
                // Try the next key that may have written it.
            }
        }

        throw new CryptographicException(
            $"{description} was encrypted under a key that is not configured; " +
            $"add it to {BulkCertsOptions.SectionName}:PreviousResultEncryptionKeys until its results expire.");
    }

    /// <summary>The bytes at the start of a stored result that <see cref="HasKeyFor"/> reads.</summary>
    public const int PrefixLength = 1 + KeyIdSize;

    /// <summary>
    /// Returns whether a result that starts with <paramref name="prefix"/> was encrypted under a
    /// configured key. Returns null for the first format, which has no key id, so that only
    /// decrypting the result shows whether a configured key fits.
    /// </summary>
    public bool? HasKeyFor(ReadOnlySpan<byte> prefix) => prefix switch
    {
        [FormatVersion, ..] when prefix.Length >= PrefixLength => FindKeys(prefix.Slice(1, KeyIdSize)).Count > 0,
        [LegacyVersion, ..] => null,
        _ => false,
    };

    /// <summary>
    /// Derives a key for another purpose from the current result key with HKDF-SHA256, so every
    /// replica that reads the same result key gets the same derived key without a secret of its own.
    /// A different <paramref name="label"/> gives an unrelated key, and the result key cannot be
    /// recovered from a derived one.
    /// </summary>
    public byte[] DeriveKey(string label, int length) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, length, salt: [], info: Encoding.UTF8.GetBytes(label));

    private IReadOnlyList<byte[]> FindKeys(ReadOnlySpan<byte> keyId)
    {
        var matches = new List<byte[]>();
        foreach (var key in _readableKeys)
        {
            if (keyId.SequenceEqual(KeyId(key)))
            {
                matches.Add(key);
            }
        }

        return matches;
    }

    private static byte[] KeyId(byte[] key) => SHA256.HashData(key)[..KeyIdSize];

    private static byte[] AssociatedData(string taskId, int chunkId) => Encoding.UTF8.GetBytes($"{taskId}/{chunkId}");

    // A chunk's associated data never starts with this purpose, since task ids are UUIDs.
    private static byte[] PasswordAssociatedData(string taskId) => Encoding.UTF8.GetBytes($"pkcs12-password/{taskId}");
}
