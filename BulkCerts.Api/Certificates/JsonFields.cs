using BulkCerts.Api.Http;
using System.Text.Json;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// Reads typed fields from a request body and describes bad values for error messages. Each
/// reader returns null when the field is valid or absent, and otherwise the message.
/// </summary>
internal static class JsonFields
{
    public static string? ReadWholeNumber(
        JsonElement parent,
        string name,
        string displayName,
        int min,
        int max,
        out int? value)
    {
        value = null;
        if (!TryGet(parent, name, out var element))
        {
            return null;
        }

        var range = $"{displayName} must be a whole number from {min} to {max}";
        if (element.ValueKind != JsonValueKind.Number)
        {
            return $"{displayName} {Describe(element)} is not a number; {range}.";
        }

        if (!element.TryGetDecimal(out var number) || number != decimal.Truncate(number)
            || number < min || number > max)
        {
            return $"{displayName} {Describe(element)} is out of range; {range}.";
        }

        value = (int)number;
        return null;
    }

    public static string? ReadBoolean(JsonElement parent, string name, string displayName, out bool value)
    {
        value = false;
        if (!TryGet(parent, name, out var element))
        {
            return null;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return $"{displayName} {Describe(element)} is not a boolean; use true or false.";
        }

        value = element.GetBoolean();
        return null;
    }

    /// <summary>Reads a string of at most <paramref name="maxLength"/> characters without control characters.</summary>
    public static string? ReadString(
        JsonElement parent,
        string name,
        string displayName,
        int maxLength,
        out string? value)
    {
        value = null;
        return TryGet(parent, name, out var element) ? CheckString(element, displayName, maxLength, out value) : null;
    }

    public static string? CheckString(JsonElement element, string displayName, int maxLength, out string? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.String)
        {
            return $"{displayName} {Describe(element)} is not a string; send text in double quotes.";
        }

        if (!TryGetText(element, out var text))
        {
            return $"{displayName} is not valid Unicode text; send it as UTF-8 without unpaired surrogates.";
        }

        if (text.Length > maxLength)
        {
            return $"{displayName} '{MessageText.Shorten(text)}' has {text.Length} characters; " +
                $"the maximum is {maxLength}.";
        }

        if (FindInvisibleCharacter(text) is { } position)
        {
            return $"{displayName} '{MessageText.Shorten(text)}' contains the invisible or reserved character " +
                $"U+{(int)text[position]:X4} at position {position + 1}; remove control, format (such as U+202E) " +
                "and noncharacter code points.";
        }

        value = text;
        return null;
    }

    /// <summary>
    /// Returns the index of the first control character, format character (which can reorder or
    /// hide text, as U+202E does) or noncharacter, or null when there is none.
    /// </summary>
    public static int? FindInvisibleCharacter(string text)
    {
        for (var index = 0; index < text.Length; index++)
        {
            var character = text[index];
            var category = char.GetUnicodeCategory(character);
            if (category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                || character is '\uFFFE' or '\uFFFF' || character is >= '\uFDD0' and <= '\uFDEF')
            {
                return index;
            }
        }

        return null;
    }

    /// <summary>Returns the property unless it is absent or null.</summary>
    public static bool TryGet(JsonElement parent, string name, out JsonElement element)
    {
        element = default;
        return parent.ValueKind == JsonValueKind.Object
            && parent.TryGetProperty(name, out element)
            && element.ValueKind != JsonValueKind.Null;
    }

    /// <summary>
    /// Reads a JSON string. System.Text.Json throws when the string contains invalid UTF-8 or an
    /// escaped unpaired surrogate, which a client can send but .NET cannot represent.
    /// </summary>
    public static bool TryGetText(JsonElement element, out string text)
    {
        try
        {
            text = element.GetString() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>Describes a JSON value for a message: its text, and its kind where that helps.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when TryGetText(value, out var text) => $"\"{MessageText.Shorten(text)}\" (a string)",
        JsonValueKind.String => "(a string that is not valid Unicode text)",
        JsonValueKind.Object => $"{RawText(value)} (an object)",
        JsonValueKind.Array => $"{RawText(value)} (an array)",
        JsonValueKind.True or JsonValueKind.False => $"{RawText(value)} (a boolean)",
        JsonValueKind.Null => "null",
        _ => RawText(value),
    };

    private static string RawText(JsonElement value)
    {
        try
        {
            return MessageText.Shorten(value.GetRawText());
        }
        catch (InvalidOperationException)
        {
            return "(text that is not valid UTF-8)";
        }
    }
}
