namespace BulkCerts.Api.Registry;

/// <summary>
/// The RFC 5280 CRLReason codes that a full revocation list may carry, by name and code. 7 is
/// unassigned, and removeFromCRL (8) belongs in delta lists, which BulkCerts does not issue.
/// </summary>
public static class RevocationReasons
{
    public const int Unspecified = 0;

    private static readonly (string Name, int Code)[] Reasons =
    [
        ("unspecified", 0),
        ("keyCompromise", 1),
        ("cACompromise", 2),
        ("affiliationChanged", 3),
        ("superseded", 4),
        ("cessationOfOperation", 5),
        ("certificateHold", 6),
        ("privilegeWithdrawn", 9),
        ("aACompromise", 10),
    ];

    /// <summary>The names, for messages and the API description.</summary>
    public static string Names => string.Join(", ", Reasons.Select(reason => reason.Name));

    /// <summary>The codes, for messages and the API description.</summary>
    public static string Codes => "0 to 6, 9 or 10";

    public static bool IsValid(int code) => Reasons.Any(reason => reason.Code == code);

    /// <summary>Returns the code of a name, compared case-insensitively, or null for an unknown name.</summary>
    public static int? FromName(string name)
    {
        foreach (var reason in Reasons)
        {
            if (reason.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return reason.Code;
            }
        }

        return null;
    }

    public static string NameOf(int code) =>
        Reasons.FirstOrDefault(reason => reason.Code == code).Name
            ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
