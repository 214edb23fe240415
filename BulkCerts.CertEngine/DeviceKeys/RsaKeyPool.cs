using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using BulkCerts.CertEngine.V1;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.DeviceKeys;

/// <summary>
/// Pre-generated RSA device keys, kept in memory only, up to the configured capacity of each key
/// size. Each key is handed out once, and keys still in the pool are disposed with it.
/// </summary>
public sealed class RsaKeyPool : IDisposable
{
    /// <summary>The pooled algorithms, smallest key first: the order in which the pool is filled.</summary>
    public static readonly IReadOnlyList<KeyAlgorithm> Algorithms =
        [KeyAlgorithm.Rsa2048, KeyAlgorithm.Rsa3072, KeyAlgorithm.Rsa4096];

    private readonly ConcurrentQueue<DeviceKey>[] _keys;
    private readonly int[] _capacities;

    // Serializes TryAdd with Dispose, so that no key is added after the pool was emptied.
    // TryTake needs no lock, because the queue hands each key to one caller only.
    private readonly Lock _addLock = new();
    private bool _disposed;

    public RsaKeyPool(IOptions<KeyPoolOptions> options)
    {
        var settings = options.Value;
        _capacities = settings.Enabled ? [settings.Rsa2048, settings.Rsa3072, settings.Rsa4096] : [0, 0, 0];
        _keys = [new(), new(), new()];
    }

    /// <summary>Total number of keys that the pool contains when full, across key sizes.</summary>
    public int TotalCapacity => _capacities.Sum();

    /// <summary>Maximum number of keys of <paramref name="algorithm"/>, or 0 for an algorithm not pooled.</summary>
    public int Capacity(KeyAlgorithm algorithm)
    {
        var index = IndexOf(algorithm);
        return index < 0 ? 0 : _capacities[index];
    }

    /// <summary>Number of keys of <paramref name="algorithm"/> ready in the pool.</summary>
    public int Count(KeyAlgorithm algorithm)
    {
        var index = IndexOf(algorithm);
        return index < 0 ? 0 : _keys[index].Count;
    }

    /// <summary>
    /// Takes a key of <paramref name="algorithm"/> out of the pool, and the caller then owns and
    /// disposes it. Returns false when the pool has none, which is always so for algorithms that
    /// it does not pool.
    /// </summary>
    public bool TryTake(KeyAlgorithm algorithm, [NotNullWhen(true)] out DeviceKey? key)
    {
        var index = IndexOf(algorithm);
        if (index < 0)
        {
            key = null;
            return false;
        }

        return _keys[index].TryDequeue(out key);
    }

    /// <summary>
    /// Adds a key that was generated for <paramref name="algorithm"/>, and takes ownership of it.
    /// Returns false when that size is full or the pool is disposed, and the caller keeps the key.
    /// </summary>
    public bool TryAdd(KeyAlgorithm algorithm, DeviceKey key)
    {
        var index = IndexOf(algorithm);
        if (index < 0)
        {
            return false;
        }

        lock (_addLock)
        {
            if (_disposed || _keys[index].Count >= _capacities[index])
            {
                return false;
            }

            _keys[index].Enqueue(key);
            return true;
        }
    }

    public void Dispose()
    {
        lock (_addLock)
        {
            _disposed = true;
        }

        foreach (var queue in _keys)
        {
            while (queue.TryDequeue(out var key))
            {
                key.Dispose();
            }
        }
    }

    // The unspecified algorithm is RSA-2048, as in DeviceKeyGenerator.
    private static int IndexOf(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Unspecified or KeyAlgorithm.Rsa2048 => 0,
        KeyAlgorithm.Rsa3072 => 1,
        KeyAlgorithm.Rsa4096 => 2,
        _ => -1,
    };
}
