using System.Security.Cryptography;

namespace BulkCerts.Api.Storage;

/// <summary>
/// Finds the result encryption keys: the current one first, configured or generated on first
/// start and kept in the data folder (readable by the owner only) for development, then the
/// previous keys that still decrypt older results.
/// </summary>
internal static class ResultKeyLoader
{
    private const int KeySize = 32;
    private const string KeyFileName = "result-encryption.key";
    private const string SettingName = $"{BulkCertsOptions.SectionName}:ResultEncryptionKey";
    private const string PreviousSettingName = $"{BulkCertsOptions.SectionName}:PreviousResultEncryptionKeys";

    public static List<byte[]> Load(BulkCertsOptions options, string contentRoot)
    {
        List<byte[]> keys = [LoadCurrent(options, contentRoot)];
        for (var i = 0; i < options.PreviousResultEncryptionKeys.Count; i++)
        {
            keys.Add(Decode(options.PreviousResultEncryptionKeys[i], $"{PreviousSettingName}:{i}"));
        }

        return keys;
    }

    private static byte[] LoadCurrent(BulkCertsOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.ResultEncryptionKey))
        {
            return Decode(options.ResultEncryptionKey, SettingName);
        }

        var folder = Path.GetFullPath(options.DataPath, contentRoot);
        var path = Path.Combine(folder, KeyFileName);
        if (!File.Exists(path))
        {
            CreateKeyFile(folder, path);
        }

        return Decode(File.ReadAllText(path).Trim(), path);
    }

    private static byte[] Decode(string base64, string source)
    {
        var key = new byte[KeySize];
        if (!Convert.TryFromBase64String(base64, key, out var written) || written != KeySize)
        {
            throw new InvalidOperationException(
                $"The result encryption key in {source} is not base64 of {KeySize} bytes; " +
                "create one with: openssl rand -base64 32");
        }

        return key;
    }

    /// <summary>
    /// Writes a new key to a file of its own, then moves it into place. When another replica got
    /// there first, the move fails and both use the existing key.
    /// </summary>
    private static void CreateKeyFile(string folder, string path)
    {
        Directory.CreateDirectory(folder);
        var candidate = Path.Combine(folder, $"{KeyFileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(candidate, options))
        {
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize)));
        }

        try
        {
            File.Move(candidate, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(candidate);
        }
    }
}
