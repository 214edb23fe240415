using System.Text;
using System.Text.RegularExpressions;

namespace BulkCerts.Tests.Support;

/// <summary>A value that must not appear in any output, with a name that a failure message can show.</summary>
internal sealed record Secret(string Name, string Value);

/// <summary>
/// Searches captured log lines and OTLP payloads for secrets, and describes each place where one occurs
/// with an excerpt in which every secret, and every long base64 run, is masked.
/// </summary>
internal sealed partial class SecretScanner(IReadOnlyList<Secret> secrets)
{
    private const int ExcerptRadius = 48;

    /// <summary>Returns one finding per secret and log category, with the first excerpt and a count.</summary>
    public IEnumerable<string> ScanLogs(IEnumerable<CapturedLogLine> lines)
    {
        var hits = new Dictionary<(string Secret, string Category), (int Count, string Excerpt)>();
        foreach (var line in lines)
        {
            foreach (var secret in secrets)
            {
                var index = line.Text.IndexOf(secret.Value, StringComparison.Ordinal);
                if (index < 0)
                {
                    continue;
                }

                var key = (secret.Name, line.Category);
                hits[key] = hits.TryGetValue(key, out var hit)
                    ? (hit.Count + 1, hit.Excerpt)
                    : (1, Excerpt(line.Text, index, secret));
            }
        }

        return hits.Select(hit =>
            $"{hit.Key.Secret} in {hit.Value.Count} log lines of {hit.Key.Category}, first: {hit.Value.Excerpt}");
    }

    /// <summary>Returns one finding per secret and signal, with the sending services and the first excerpt.</summary>
    public IEnumerable<string> ScanTelemetry(IEnumerable<OtlpPayload> payloads)
    {
        var hits = new Dictionary<(string Secret, string Signal), (int Count, string Services, string Excerpt)>();
        var needles = secrets
            .Select(secret => (Secret: secret, Bytes: Encoding.UTF8.GetBytes(secret.Value)))
            .ToList();
        foreach (var payload in payloads)
        {
            foreach (var (secret, bytes) in needles)
            {
                var index = payload.Body.AsSpan().IndexOf(bytes);
                if (index < 0)
                {
                    continue;
                }

                var key = (secret.Name, payload.Signal);
                if (hits.TryGetValue(key, out var hit))
                {
                    hits[key] = hit with { Count = hit.Count + 1 };
                    continue;
                }

                var start = Math.Max(0, index - ExcerptRadius);
                var end = Math.Min(payload.Body.Length, index + bytes.Length + ExcerptRadius);
                var window = Encoding.UTF8.GetString(payload.Body, start, end - start);
                var services = string.Join(", ", payload.ServiceNames().Order(StringComparer.Ordinal));
                hits[key] = (1, services, Mask(window));
            }
        }

        return hits.Select(hit =>
            $"{hit.Key.Secret} in {hit.Value.Count} OTLP {hit.Key.Signal} payloads, first from " +
            $"service {hit.Value.Services}: {hit.Value.Excerpt}");
    }

    private string Excerpt(string text, int index, Secret secret)
    {
        var start = Math.Max(0, index - ExcerptRadius);
        var end = Math.Min(text.Length, index + secret.Value.Length + ExcerptRadius);
        return Mask(text[start..end]);
    }

    /// <summary>
    /// Replaces each secret by its name in brackets, then long base64 runs (key bodies, tokens) and control
    /// characters, so that the failure message itself leaks nothing.
    /// </summary>
    private string Mask(string excerpt)
    {
        foreach (var secret in secrets.OrderByDescending(secret => secret.Value.Length))
        {
            excerpt = excerpt.Replace(secret.Value, $"[{secret.Name}]", StringComparison.Ordinal);
        }

        excerpt = LongBase64().Replace(excerpt, "[base64]");
        return $"\"{ControlCharacters().Replace(excerpt, " ")}\"";
    }

    [GeneratedRegex("[A-Za-z0-9+/=]{24,}")]
    private static partial Regex LongBase64();

    [GeneratedRegex(@"[\p{C}\uFFFD]")]
    private static partial Regex ControlCharacters();
}
