namespace BulkCerts.Cli;

/// <summary>Writes output files whole or not at all.</summary>
public static class OutputFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Copies <paramref name="content"/> to <paramref name="path"/> through a temporary file beside it,
    /// so a cut-off transfer never leaves a partial file under the final name. On Unix the file is
    /// readable by its owner only. Returns the number of bytes written.
    /// </summary>
    public static async Task<long> WritePrivateAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        var partialPath = fullPath + ".part";

        // The file replaces whatever the path names, so a link would be replaced rather than followed,
        // leaving its target untouched. NOTE: a device or named pipe is replaced the same way; .NET
        // does not tell them apart from a regular file.
        if (new FileInfo(fullPath).LinkTarget is { } target)
        {
            throw new CliException(
                $"'{fullPath}' is a symbolic link to '{target}'. Give the path of the file itself as --out.",
                ExitCodes.FileError);
        }

        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            long length;
            await using (var file = new FileStream(partialPath, options))
            {
                await content.CopyToAsync(file, cancellationToken);
                length = file.Length;
            }

            File.Move(partialPath, fullPath, overwrite: true);
            return length;
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException
            || (exception is IOException && exception is not System.Net.Http.HttpIOException))
        {
            TryDelete(partialPath);
            throw new CliException(
                $"Could not write '{fullPath}': {exception.Message} Choose another --out path.",
                ExitCodes.FileError,
                exception);
        }
        catch
        {
            TryDelete(partialPath);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The partial file stays; its name ends in .part, so it is never taken for a whole zip.
        }
    }
}
