using BulkCerts.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BulkCerts.Api.Downloads;

public enum DownloadType
{
    /// <summary>One zip of the whole task.</summary>
    Zip,

    /// <summary>A JSON array of signed URLs, one per chunk, each of which downloads that chunk's zip.</summary>
    SignedUrl,
}

/// <summary>
/// Reads the <c>downloadType</c> query parameter of a download. Its name and values are
/// case-sensitive, as in the original service.
/// </summary>
public static class DownloadTypes
{
    public const string ParameterName = "downloadType";
    public const string SignedUrlValue = "signedUrl";
    public const string ZipValue = "zip";

    private const string Accepted =
        $"Use {ParameterName}={SignedUrlValue} for signed URLs of the chunks, or {ParameterName}={ZipValue} " +
        "or no parameter for one zip.";

    /// <summary>Returns the requested type, or a 400 problem that names the invalid parameter or value.</summary>
    public static (DownloadType Type, ProblemHttpResult? Problem) Read(IQueryCollection query)
    {
        // The query collection matches names case-insensitively, so the exact name is checked here.
        foreach (var (name, values) in query)
        {
            if (!name.Equals(ParameterName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name != ParameterName)
            {
                return (DownloadType.Zip, ApiResults.BadRequest(
                    $"Query parameter '{MessageText.Shorten(name)}' is not known, because parameter names are " +
                    $"case-sensitive. {Accepted}"));
            }

            if (values.Count != 1)
            {
                return (DownloadType.Zip, ApiResults.BadRequest(
                    $"Query parameter {ParameterName} is given {values.Count} times; give it once. {Accepted}"));
            }

            return values[0] switch
            {
                SignedUrlValue => (DownloadType.SignedUrl, null),
                ZipValue => (DownloadType.Zip, null),
                var value => (DownloadType.Zip, ApiResults.BadRequest(
                    $"{ParameterName} '{MessageText.Shorten(value ?? string.Empty)}' is not valid, and values are " +
                    $"case-sensitive. {Accepted}")),
            };
        }

        return (DownloadType.Zip, null);
    }
}
