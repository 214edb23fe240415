namespace BulkCerts.Api.Http;

/// <summary>Formats client input for error messages.</summary>
public static class MessageText
{
    /// <summary>
    /// Returns at most the first 80 characters of <paramref name="text"/>, marked with "..." when cut.
    /// </summary>
    public static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
