namespace BulkCerts.Api.Certificates;

/// <summary>
/// The supplier id format: 1 to 64 letters, digits, '.', '_' or '-'. Ids compare case-insensitively.
/// </summary>
public static class SupplierIds
{
    public const int MaxLength = 64;

    public const string Rule = "use 1 to 64 letters, digits, '.', '_' or '-'.";

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
