using System.Globalization;
using System.Numerics;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Produces the names of each certificate from a <see cref="NameRule"/>: the common name and the
/// values of subject alternative names.
/// </summary>
public static class NameRules
{
    /// <summary>
    /// Returns the name, before any base64 encoding, of certificate <paramref name="offset"/> of a
    /// request whose first certificate has task index <paramref name="firstIndex"/>.
    /// </summary>
    public static string Generate(NameRule rule, long firstIndex, int offset) => rule.GeneratorCase switch
    {
        NameRule.GeneratorOneofCase.StaticValue => rule.Prefix + rule.StaticValue,
        NameRule.GeneratorOneofCase.IncrementStart =>
            rule.Prefix + Increment(rule.IncrementStart, firstIndex + offset),
        NameRule.GeneratorOneofCase.List => rule.Prefix + rule.List.Values[offset],
        _ => rule.Prefix,
    };

    /// <summary>
    /// Returns a message that explains why the generator of <paramref name="rule"/>, set in the request
    /// field <paramref name="field"/>, cannot produce <paramref name="count"/> names, or null when it can.
    /// </summary>
    public static string? ValidateGenerator(NameRule rule, string field, int count)
    {
        if (rule.GeneratorCase == NameRule.GeneratorOneofCase.IncrementStart && !IsHex(rule.IncrementStart))
        {
            return $"{field}.increment_start '{rule.IncrementStart}' is not a hexadecimal number; " +
                "use digits 0-9 and A-F.";
        }

        if (rule.GeneratorCase == NameRule.GeneratorOneofCase.List && rule.List.Values.Count < count)
        {
            return $"{field}.list contains {rule.List.Values.Count} values but count is {count}; " +
                "send one value per certificate.";
        }

        return null;
    }

    private static string Increment(string start, long index)
    {
        var value = BigInteger.Parse("0" + start, NumberStyles.AllowHexSpecifier) + index;
        var hex = value.ToString("X", CultureInfo.InvariantCulture).TrimStart('0');
        if (hex.Length == 0)
        {
            hex = "0";
        }

        return hex.PadLeft(start.Length, '0');
    }

    private static bool IsHex(string value) => value.Length > 0 && value.All(char.IsAsciiHexDigit);
}
