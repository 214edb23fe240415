using System.Text;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Produces the common name of each certificate from a <see cref="NameRule"/>, base64-encoded
/// when the rule sets <c>base64_encode</c>.
/// </summary>
public static class CommonNames
{
    /// <summary>Maximum length of a common name, the upper bound of X.520.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Returns the common name, as written into the certificate, of certificate
    /// <paramref name="offset"/> of a request whose first certificate has task index
    /// <paramref name="firstIndex"/>.
    /// </summary>
    public static string Generate(NameRule rule, long firstIndex, int offset)
    {
        var name = NameRules.Generate(rule, firstIndex, offset);
        return rule.Base64Encode ? Convert.ToBase64String(Encoding.UTF8.GetBytes(name)) : name;
    }

    /// <summary>
    /// Returns a message that describes what is wrong with <paramref name="rule"/> for
    /// <paramref name="count"/> certificates, or null when every name it produces is valid.
    /// </summary>
    public static string? Validate(NameRule? rule, long firstIndex, int count)
    {
        if (rule is null)
        {
            return "subject.common_name is missing; set a prefix and a generator.";
        }

        if (NameRules.ValidateGenerator(rule, "subject.common_name", count) is { } problem)
        {
            return problem;
        }

        // The last name is the longest for every generator but list, whose values are checked one by one.
        // Base64 keeps that order because its length grows with the length of its input.
        var offsets = rule.GeneratorCase == NameRule.GeneratorOneofCase.List
            ? Enumerable.Range(0, count)
            : [count - 1];

        foreach (var offset in offsets)
        {
            var plain = NameRules.Generate(rule, firstIndex, offset);
            if (plain.Length == 0)
            {
                return "The common name is empty; set a prefix or a generator value.";
            }

            // X.520 bounds the common name in characters, so count Unicode scalar values, not UTF-16 units.
            var name = Generate(rule, firstIndex, offset);
            var length = name.EnumerateRunes().Count();
            if (length > MaxLength)
            {
                return rule.Base64Encode
                    ? $"Common name '{plain}' is {length} characters long in base64; the maximum is {MaxLength}."
                    : $"Common name '{name}' is {length} characters long; the maximum is {MaxLength}.";
            }
        }

        return null;
    }
}
