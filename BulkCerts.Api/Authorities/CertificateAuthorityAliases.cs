namespace BulkCerts.Api.Authorities;

/// <summary>
/// The CA alias format: 1 to 64 letters, digits, '.', '_' or '-'. Aliases compare case-insensitively.
/// </summary>
public static class CertificateAuthorityAliases
{
    public const int MaxLength = 64;

    public const string Rule = "use 1 to 64 letters, digits, '.', '_' or '-'.";

    public static bool IsValid(string? alias) =>
        alias is { Length: > 0 and <= MaxLength }
        && alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
