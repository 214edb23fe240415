using System.Globalization;
using System.Numerics;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Produces the common name of each certificate from a <see cref="NameRule"/>.
/// </summary>
public static class CommonNames
{
    /// <summary>Maximum length of a common name, the upper bound of X.520.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Returns the common name of certificate <paramref name="offset"/> of a request whose first
    /// certificate has task index <paramref name="firstIndex"/>.
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
    /// Returns a message that says what is wrong with <paramref name="rule"/> for
    /// <paramref name="count"/> certificates, or null when every name it produces is valid.
    /// </summary>
    public static string? Validate(NameRule? rule, long firstIndex, int count)
    {
        if (rule is null)
        {
            return "subject.common_name is missing; set a prefix and a generator.";
        }

        if (rule.GeneratorCase == NameRule.GeneratorOneofCase.IncrementStart && !IsHex(rule.IncrementStart))
        {
            return $"increment_start '{rule.IncrementStart}' is not a hexadecimal number; use digits 0-9 and A-F.";
        }

        if (rule.GeneratorCase == NameRule.GeneratorOneofCase.List && rule.List.Values.Count < count)
        {
            return $"list holds {rule.List.Values.Count} values but count is {count}; send one value per certificate.";
        }

        // The last name is the longest for every generator but list, whose values are checked one by one.
        var names = rule.GeneratorCase == NameRule.GeneratorOneofCase.List
            ? rule.List.Values.Take(count).Select(value => rule.Prefix + value)
            : [Generate(rule, firstIndex, count - 1)];

        foreach (var name in names)
        {
            if (name.Length == 0)
            {
                return "The common name is empty; set a prefix or a generator value.";
            }

            if (name.Length > MaxLength)
            {
                return $"Common name '{name}' has {name.Length} characters; the maximum is {MaxLength}.";
            }
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
