using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace BulkCerts.Api.Certificates;

/// <summary>How a name template produces the name of each certificate.</summary>
public enum NameGenerator
{
    /// <summary>No <c>${...}</c> token: every certificate gets the text as written.</summary>
    Plain,

    /// <summary><c>${static}</c>: every certificate gets prefix + START in uppercase.</summary>
    Static,

    /// <summary><c>${increment}</c>: certificate i gets prefix + hex(START + i), as wide as START.</summary>
    Increment,

    /// <summary><c>${list}</c>: certificate i gets prefix + commonNameList[i] in uppercase.</summary>
    List,
}

/// <summary>
/// A parsed name template, <c>`prefix`START${generator(N)}</c>, where every part but START is
/// optional. The prefix is copied as written; generator names are case-insensitive.
/// </summary>
public sealed partial record NameTemplate(NameGenerator Generator, string Prefix, string Start, int? Quantity)
{
    private const string Grammar =
        "use `prefix`START${increment}, ${static} or ${list}, for example `dev-`00A0${increment}";

    /// <summary>
    /// Parses <paramref name="template"/>, or returns a message that quotes it and states what is
    /// wrong. A positive N in <c>${increment(N)}</c> or <c>${static(N)}</c> sets the quantity.
    /// </summary>
    public static NameTemplate? Parse(string template, string field, out string? error)
    {
        error = null;
        var prefix = string.Empty;
        var rest = template;
        if (template.StartsWith('`'))
        {
            var closing = template.IndexOf('`', 1);
            if (closing < 0)
            {
                error = $"{field} '{template}' opens a prefix with ` but does not close it; {Grammar}.";
                return null;
            }

            prefix = template[1..closing];
            rest = template[(closing + 1)..];
        }

        var tokenStart = rest.IndexOf("${", StringComparison.Ordinal);
        if (tokenStart < 0)
        {
            return new NameTemplate(NameGenerator.Plain, prefix, rest, null);
        }

        var tokenEnd = rest.IndexOf('}', tokenStart);
        if (tokenEnd < 0)
        {
            error = $"{field} '{template}' opens ${{ but does not close it with }}; {Grammar}.";
            return null;
        }

        if (tokenEnd != rest.Length - 1)
        {
            error = $"{field} '{template}' has text after its generator; the generator must come last, {Grammar}.";
            return null;
        }

        var match = TokenPattern().Match(rest[(tokenStart + 2)..tokenEnd]);
        if (!match.Success)
        {
            error = $"{field} '{template}' has a malformed generator; {Grammar}.";
            return null;
        }

        var start = rest[..tokenStart];
        return Create(template, field, match, prefix, start, out error);
    }

    /// <summary>
    /// Returns the name of certificate <paramref name="index"/> of the task, counted from 0;
    /// <paramref name="listValue"/> is that certificate's list entry for the list generator.
    /// </summary>
    public string NameAt(long index, string? listValue = null) => Generator switch
    {
        NameGenerator.Plain => Prefix + Start,
        NameGenerator.Static => Prefix + Start.ToUpperInvariant(),
        NameGenerator.Increment => Prefix + Increment(Start, index),
        _ => Prefix + (listValue ?? string.Empty).ToUpperInvariant(),
    };

    /// <summary>Returns START + index in uppercase hexadecimal, padded with zeros to START's width.</summary>
    public static string Increment(string start, long index)
    {
        var value = BigInteger.Parse("0" + start, NumberStyles.AllowHexSpecifier) + index;
        var hex = value.ToString("X", CultureInfo.InvariantCulture).TrimStart('0');
        return hex.PadLeft(Math.Max(start.Length, 1), '0');
    }

    private static NameTemplate? Create(
        string template,
        string field,
        Match match,
        string prefix,
        string start,
        out string? error)
    {
        error = null;
        var name = match.Groups["name"].Value;
        int? quantity = null;
        if (match.Groups["count"].Success)
        {
            if (!int.TryParse(match.Groups["count"].Value, CultureInfo.InvariantCulture, out var count))
            {
                error = $"{field} '{template}' sets a quantity of {match.Groups["count"].Value}, which is too large; " +
                    "use at most the configured maximum quantity.";
                return null;
            }

            quantity = count > 0 ? count : null;
        }

        if (name.Equals("increment", StringComparison.OrdinalIgnoreCase))
        {
            if (start.Length == 0 || !start.All(char.IsAsciiHexDigit))
            {
                var hexTail = new string([.. start.Reverse().TakeWhile(char.IsAsciiHexDigit).Reverse()]);
                var hint = hexTail.Length > 0 && prefix.Length == 0
                    ? $"put the fixed text in a prefix: `{start[..^hexTail.Length]}`{hexTail}${{increment}}"
                    : "put hex digits such as 00A0 before ${increment}";
                error = $"{field} '{template}' uses ${{increment}}, but its start value '{start}' is not a " +
                    $"hexadecimal number; {hint}.";
                return null;
            }

            return new NameTemplate(NameGenerator.Increment, prefix, start, quantity);
        }

        if (name.Equals("static", StringComparison.OrdinalIgnoreCase))
        {
            return new NameTemplate(NameGenerator.Static, prefix, start, quantity);
        }

        if (name.Equals("list", StringComparison.OrdinalIgnoreCase))
        {
            if (start.Length > 0)
            {
                error = $"{field} '{template}' has text '{start}' before ${{list}}, which the list generator " +
                    "does not use; move fixed text into the prefix, for example `dev-`${list}.";
                return null;
            }


            // The list's length sets the quantity, so a count in ${list(N)} is ignored, as it was originally.
            return new NameTemplate(NameGenerator.List, prefix, start, null);
        }

        error = $"{field} '{template}' uses the unknown generator '{name}'; use increment, static or list.";
        return null;
    }

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z]+)\s*(?:\(\s*(?<count>\d+)\s*\))?\s*$")]
    private static partial Regex TokenPattern();
}
