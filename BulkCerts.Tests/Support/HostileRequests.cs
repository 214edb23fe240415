using System.Net.Http.Headers;
using System.Text;
using BulkCerts.Tests.Integration;

namespace BulkCerts.Tests.Support;

/// <summary>One malformed request, with a description that names it in assertion messages.</summary>
internal sealed record HostileRequest(
    string Description,
    HttpMethod Method,
    string Path,
    byte[]? Body = null,
    string? ContentType = "application/json",
    string? Accept = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public HttpRequestMessage ToHttpRequestMessage()
    {
        var request = new HttpRequestMessage(Method, new Uri(Path, UriKind.Relative));
        if (Accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", Accept);
        }

        foreach (var (name, value) in Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        return request;
    }

    public override string ToString() => $"{Method} {Shorten(Path)} ({Description})";

    private static string Shorten(string text) =>
        text.Length <= 100 ? text : $"{text[..100]}... ({text.Length} chars)";
}

/// <summary>
/// Generates malformed requests for every endpoint from a seeded <see cref="Random"/>, so every run
/// sends the same requests. Each must be rejected with a 4xx problem document.
/// </summary>
/// <remarks>
/// NUL and control bytes go into the body, and control bytes percent-encoded into the path, because
/// Kestrel rejects them raw in the request line, and NUL even percent-encoded, with an empty 400
/// before the Api receives the request. Dot segments such as %2E%2E are left out of paths because
/// the client and Kestrel resolve them, so "/supplier/%2E%2E/certificates" is a valid
/// POST /certificates.
/// </remarks>
internal static class HostileRequests
{
    /// <summary>A task id in the format the Api issues, for a task that does not exist.</summary>
    private const string UnknownTaskId = "3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f";

    /// <summary>
    /// Makes a body invalid after every other field has been read, because privateKeyFormat is read
    /// last, so that a hostile value that is valid text in its field still gets a 400.
    /// </summary>
    private const string LastFieldInvalid = "\"privateKeyFormat\": \"der\"";

    private static readonly string[] StringFields =
    [
        "commonName", "keyAlgorithm", "privateKeyFormat", "organization", "organizationalUnit", "locality",
        "stateName", "country", "emailAddress", "distinguishedNameQualifier",
    ];

    /// <summary>Hostile string contents, written as they appear between the quotes of a JSON string.</summary>
    private static readonly string[] HostileStrings =
    [
        "\\u0000", "a\\u0000b", "${", "}", "{", "%", "%s%n%x", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}",
        "${increment(99999999999)}", "`a`${list}", "`", "${static(-1)}", "%00", "..%2F..%2Fetc%2Fpasswd",
        "\\u202Eabc", "\\uD800", "\\uDC00\\uD800", "\\uFFFF", "\\u001B[31m", "\\r\\nX-Injected: 1", "\\t",
        "<script>alert(1)</script>", "'; DROP TABLE tasks; --", "\\uFDD0", "\\u0085", "\\u00AD",
    ];

    /// <summary>Fragments that random hostile strings are built from.</summary>
    private static readonly string[] HostileFragments =
    [
        "${", "}", "{", "%", "\\u0000", "`", "increment", "list", "static", "(", ")", "\\\\", "\\\"", "\\u0007",
        "é", "\\uD83D\\uDE00", "%2F", "..", "*", "?",
    ];

    /// <summary>Byte sequences that are not UTF-8.</summary>
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80],
        [0xE2, 0x82],
    ];

    /// <summary>Path segments that are not task ids, supplier ids or CA aliases, already percent-encoded.</summary>
    private static readonly string[] HostileSegments =
    [
        "..%2F..%2Fetc%2Fpasswd", "..%2f..%2f", "%2e%2e%2f%2e%2e", "..%5C..", "%FF%FE",
        "%C0%AE%C0%AE", "%ED%A0%80", "%E2%80%AEabc", "%F0%9F%98%80", "%C3%A9t%C3%A9", "%0D%0ASet-Cookie:%20a=b",
        "%20", "%09", "*", "bulkcerts:task:*", "%2A", "%7B%7D", "%24%7Bjndi%3Aldap%3A%2F%2F127.0.0.1%2Fa%7D",
        "%25", "%25%32%65", "%5C..%5C..", "a;b=c", "%3F", "null", "-1", "1e400", "%E0%B8%A0%E0%B8%B2",
        new string('a', 4000),
    ];

    public static List<HostileRequest> Generate(Random random) =>
    [
        .. WrongRoots(),
        .. WrongTypes(),
        .. HostileStringValues(random),
        .. DeepJson(random),
        .. InvalidUtf8Bodies(random),
        .. OverlongFields(),
        .. WrongMediaTypes(),
        .. HostilePathSegments(random),
        .. WrongMethods(random),
        .. OversizedHeaders(),
    ];

    private static IEnumerable<HostileRequest> WrongRoots()
    {
        string[] roots = ["1", "\"x\"", "[]", "null", "true", "[{\"quantity\": 1}]", "{}", "{\"certInfo\": null}"];
        foreach (var root in roots)
        {
            yield return Post($"body {root}", Encoding.UTF8.GetBytes(root));
        }

        foreach (var certInfo in new[] { "\"x\"", "1", "true", "[]", "[{\"commonName\": \"a\"}]" })
        {
            yield return Post($"certInfo {certInfo}", Body(top: $"\"quantity\": 1, \"certInfo\": {certInfo}"));
        }
    }

    /// <summary>Every field with values of the wrong type, or numbers out of range.</summary>
    private static IEnumerable<HostileRequest> WrongTypes()
    {
        string[] notNumbers = ["\"1\"", "\"\"", "true", "false", "[]", "[1]", "{}", "{\"value\": 1}"];
        string[] badQuantities =
        [
            "0", "-1", "-0.5", "1.5", "0.999999", "1e400", "-1e400", "1e-400", "2147483648", "-2147483649",
            "99999999999999999999999999999999", "100001", "1E6",
        ];
        foreach (var value in notNumbers.Concat(badQuantities))
        {
            yield return Post($"quantity {value}", Body(top: $"\"quantity\": {value}"));
        }

        foreach (var value in notNumbers.Concat(["0", "-1", "1.5", "826", "1e400", "-0.0001", "2147483648"]))
        {
            yield return Post($"certInfo.daysExpiry {value}", Body(certInfo: $"\"daysExpiry\": {value}"));
        }

        string[] notBooleans = ["1", "0", "\"true\"", "\"\"", "[]", "{}", "[true]"];
        foreach (var value in notBooleans)
        {
            yield return Post($"register {value}", Body(top: $"\"quantity\": 1, \"register\": {value}"));
            yield return Post($"certInfo.includeCA {value}", Body(certInfo: $"\"includeCA\": {value}"));
        }

        string[] notStrings = ["1", "-1.5", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\": \"b\"}"];
        foreach (var field in StringFields)
        {
            foreach (var value in notStrings)
            {
                yield return Post($"certInfo.{field} {value}", Body(certInfo: $"\"{field}\": {value}"));
            }
        }

        foreach (var value in new[] { "\"a\"", "1", "true", "{}", "[1]", "[[\"a\"]]", "[{}]", "[null]", "[]" })
        {
            yield return Post($"certInfo.commonNameList {value}", ListBody(value));
        }

        foreach (var value in new[] { "\"dns\"", "1", "true", "[]", "[\"a.example\"]" })
        {
            yield return Post($"certInfo.subjectAltNames {value}", Body(certInfo: $"\"subjectAltNames\": {value}"));
        }

        foreach (var kind in new[] { "dns", "uri", "ipAddress" })
        {
            foreach (var value in new[] { "\"a.example\"", "1", "{}", "[1]", "[true]", "[[\"a\"]]", "[{}]" })
            {
                yield return Post(
                    $"certInfo.subjectAltNames.{kind} {value}",
                    Body(certInfo: $"\"subjectAltNames\": {{\"{kind}\": {value}}}"));
            }
        }

        yield return Post("certInfo.subjectAltNames.email", Body(certInfo: "\"subjectAltNames\": {\"email\": []}"));
    }

    /// <summary>Template metacharacters, control characters and NUL in every string field.</summary>
    private static IEnumerable<HostileRequest> HostileStringValues(Random random)
    {
        foreach (var slot in StringSlots())
        {
            foreach (var value in HostileStrings)
            {
                yield return Post($"{slot.Name} \"{value}\"", slot.Build(Encoding.UTF8.GetBytes(value)));
            }

            for (var sample = 0; sample < 3; sample++)
            {
                var value = string.Concat(Enumerable.Range(0, random.Next(1, 12))
                    .Select(_ => HostileFragments[random.Next(HostileFragments.Length)]));
                yield return Post($"{slot.Name} \"{value}\"", slot.Build(Encoding.UTF8.GetBytes(value)));
            }
        }
    }

    private static IEnumerable<HostileRequest> DeepJson(Random random)
    {
        foreach (var depth in new[] { 33, 64, 1000, 100_000, random.Next(34, 5000) })
        {
            yield return Post($"arrays nested {depth} deep", Encoding.UTF8.GetBytes(
                new string('[', depth) + new string(']', depth)));
            yield return Post($"objects nested {depth} deep", Encoding.UTF8.GetBytes(
                string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)));
        }

        var nested = new string('[', 40) + "\"a\"" + new string(']', 40);
        yield return Post("certInfo.organization nested 40 deep", Body(certInfo: $"\"organization\": {nested}"));
        yield return Post("unclosed nesting", Encoding.UTF8.GetBytes("{\"quantity\": 1, \"certInfo\": " +
            new string('[', 20)));
        yield return Post("truncated body", Encoding.UTF8.GetBytes("{\"quantity\": 1, \"certInfo\": {\"commonName"));
        yield return Post("trailing data", Encoding.UTF8.GetBytes(
            "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\"}} {}"));
        yield return Post("comment", Encoding.UTF8.GetBytes(
            "{\"quantity\": 1, /* note */ \"certInfo\": {\"commonName\": \"a\"}}"));
        yield return Post("trailing comma", Encoding.UTF8.GetBytes(
            "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\",},}"));
        yield return Post("single quotes", Encoding.UTF8.GetBytes("{'quantity': 1, 'certInfo': {'commonName': 'a'}}"));
        yield return Post("NaN quantity", Encoding.UTF8.GetBytes("{\"quantity\": NaN, \"certInfo\": {}}"));
        yield return Post("duplicate certInfo", Encoding.UTF8.GetBytes(
            "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\"}, \"certInfo\": {\"commonName\": \"b\"}}"));
        yield return Post("raw NUL between tokens", [.. "{\"quantity\": 1,"u8, 0x00, .. "\"certInfo\": {}}"u8]);
    }

    /// <summary>
    /// Bytes that are not UTF-8 in every string field, in property names, and in a property the
    /// parser ignores, sent with an Idempotency-Key so that the whole body is fingerprinted.
    /// </summary>
    private static IEnumerable<HostileRequest> InvalidUtf8Bodies(Random random)
    {
        foreach (var bytes in InvalidUtf8)
        {
            var hex = Convert.ToHexString(bytes);
            foreach (var slot in StringSlots())
            {
                yield return Post($"{slot.Name} with bytes {hex}", slot.Build([.. "a"u8, .. bytes, .. "b"u8]));
            }

            byte[] name = [(byte)'"', .. bytes, (byte)'"'];
            yield return Post($"property name with bytes {hex}",
                [.. "{"u8, .. name, .. ": 1, \"quantity\": 1, \"certInfo\": {\"commonName\": \"a\"}}"u8]);
            yield return Post($"certInfo property name with bytes {hex}",
                [.. "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\", "u8, .. name, .. ": 1}}"u8]);
            yield return Post($"subjectAltNames key with bytes {hex}",
                [.. "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\", \"subjectAltNames\": {"u8, .. name,
                    .. ": []}}}"u8]);
            yield return Post($"ignored property with bytes {hex} and an Idempotency-Key",
                [.. "{\"quantity\": 1, \"vendor\": "u8, .. name, .. ", \"certInfo\": {\"commonName\": \"a\"}}"u8],
                headers: [new("Idempotency-Key", RandomUuid(random))]);
        }

        foreach (var escaped in new[] { "\\uD800", "\\uDFFF", "\\u0000" })
        {
            yield return Post($"property name \"{escaped}\"", Encoding.UTF8.GetBytes(
                $"{{\"{escaped}\": 1, \"quantity\": 1, " +
                $"\"certInfo\": {{\"commonName\": \"a\", {LastFieldInvalid}}}}}"));
            yield return Post($"certInfo property name \"{escaped}\"", Encoding.UTF8.GetBytes(
                $"{{\"quantity\": 1, " +
                $"\"certInfo\": {{\"commonName\": \"a\", \"{escaped}\": 1, {LastFieldInvalid}}}}}"));
            yield return Post($"subjectAltNames key \"{escaped}\"", Encoding.UTF8.GetBytes(
                $"{{\"quantity\": 1, " +
                $"\"certInfo\": {{\"commonName\": \"a\", \"subjectAltNames\": {{\"{escaped}\": []}}}}}}"));
        }

        yield return Post("UTF-16 body declared as UTF-8", Encoding.Unicode.GetBytes(
            "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\"}}"));
    }

    private static IEnumerable<HostileRequest> OverlongFields()
    {
        foreach (var slot in StringSlots())
        {
            foreach (var length in new[] { 257, 70_000 })
            {
                yield return Post($"{slot.Name} of {length} characters", slot.Build(Encoding.UTF8.GetBytes(
                    new string('a', length))));
            }
        }

        yield return Post("property name of 100000 characters", Encoding.UTF8.GetBytes(
            $"{{\"{new string('q', 100_000)}\": 1, \"quantity\": 1, \"certInfo\": {{\"commonName\": \"a\", " +
            $"{LastFieldInvalid}}}}}"));
        yield return Post("number of 100000 digits", Encoding.UTF8.GetBytes(
            $"{{\"quantity\": {new string('9', 100_000)}, \"certInfo\": {{\"commonName\": \"a\"}}}}"));
        yield return Post("certInfo.commonNameList of 100001 entries", ListBody(
            "[" + string.Join(",", Enumerable.Repeat("\"n\"", 100_001)) + "]"));
        yield return Post("certInfo.subjectAltNames of 21 names", Body(certInfo:
            "\"subjectAltNames\": {\"dns\": [" + string.Join(",", Enumerable.Repeat("\"a.example\"", 21)) + "]}"));
        yield return Post("Idempotency-Key of 300 characters", Body(),
            headers: [new("Idempotency-Key", new string('k', 300))]);
        yield return Post("Idempotency-Key with spaces", Body(), headers: [new("Idempotency-Key", "a key")]);
    }

    private static IEnumerable<HostileRequest> WrongMediaTypes()
    {
        string[] contentTypes =
        [
            "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/json; charset=utf-16", "application/json; charset=iso-8859-1",
            "application/json; charset=ebcdic",
            "application/json; charset=\"utf-8", "garbage", "application/", "/json", "*/*", "application/*",
            "application/json, text/plain", "text/json", "application/jsonx", "application/json; charset=",
        ];
        foreach (var contentType in contentTypes)
        {
            yield return Post($"Content-Type {contentType}", Body(), contentType);
        }

        yield return Post("UTF-16 body with charset utf-16", Encoding.Unicode.GetBytes(
            "{\"quantity\": 1, \"certInfo\": {\"commonName\": \"a\"}}"), "application/json; charset=utf-16");

        string[] accepts = ["text/html", "application/xml", "application/json;q=0", "garbage((", "*/*;q=0", "image/*"];
        foreach (var accept in accepts)
        {
            yield return Post($"Accept {accept}", Body(), accept: accept);
            yield return new HostileRequest($"Accept {accept}", HttpMethod.Get, $"/certificates/{UnknownTaskId}/task",
                Accept: accept);
            yield return new HostileRequest($"Accept {accept}", HttpMethod.Get, "/certificateauthorities",
                Accept: accept);
            yield return new HostileRequest($"Accept {accept} on an unknown path", HttpMethod.Get, "/certificate",
                Accept: accept);
            yield return new HostileRequest($"Accept {accept} with a wrong method", HttpMethod.Put, "/certificates",
                Accept: accept);
        }
    }

    /// <summary>Junk in every path parameter: task ids, supplier ids and CA aliases.</summary>
    private static IEnumerable<HostileRequest> HostilePathSegments(Random random)
    {
        var taskId = RandomUuid(random);
        var segments = HostileSegments.Concat(
        [
            $"%7B{taskId}%7D", taskId + "0", taskId.Replace("-", ""), "g" + taskId[1..], taskId[..35],
            "00000000-0000-0000-0000-000000000000", "nobody-inc",
        ]).ToList();
        for (var sample = 0; sample < 6; sample++)
        {
            var bytes = new byte[random.Next(1, 40)];
            random.NextBytes(bytes);
            segments.Add(string.Concat(bytes.Select(value => $"%{value:X2}")));
        }

        foreach (var segment in segments)
        {
            var label = $"segment {segment}";
            yield return new HostileRequest(label, HttpMethod.Get, $"/certificates/{segment}/task");
            yield return new HostileRequest(
                label, HttpMethod.Get, $"/certificates/{segment}", Accept: "application/zip");
            yield return new HostileRequest(label, HttpMethod.Delete, $"/certificates/{segment}");
            yield return new HostileRequest(label, HttpMethod.Post, $"/supplier/{segment}/certificates", Body());
            yield return new HostileRequest(label, HttpMethod.Get, $"/certificateauthorities/{segment}");
        }
    }

    private static IEnumerable<HostileRequest> WrongMethods(Random random)
    {
        var taskId = RandomUuid(random);
        (string Path, string[] Allowed)[] routes =
        [
            ("/certificates", ["POST"]),
            ($"/certificates/{taskId}", ["GET", "DELETE"]),
            ($"/certificates/{taskId}/task", ["GET"]),
            ($"/supplier/{BulkCertsAppFixture.SupplierId}/certificates", ["POST"]),
            ("/certificateauthorities", ["GET"]),
            ("/certificateauthorities/acme", ["GET"]),
        ];
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "BREW"];
        foreach (var (path, allowed) in routes)
        {
            foreach (var method in methods.Except(allowed))
            {
                yield return new HostileRequest("wrong method", new HttpMethod(method), path, Body());
            }
        }
    }

    /// <summary>Header blocks over the Api's limits but within Kestrel's, which get an empty response.</summary>
    private static IEnumerable<HostileRequest> OversizedHeaders()
    {
        yield return Post("header of 20000 bytes", Body(), headers: [new("X-Padding", new string('p', 20_000))]);
        yield return Post("cookie of 17000 bytes", Body(), headers: [new("Cookie", "a=" + new string('c', 17_000))]);
        yield return Post("80 headers", Body(), headers:
            [.. Enumerable.Range(0, 80).Select(index => new KeyValuePair<string, string>($"X-Extra-{index}", "1"))]);
        yield return new HostileRequest("header of 20000 bytes", HttpMethod.Get, "/certificateauthorities",
            Headers: [new("X-Padding", new string('p', 20_000))]);
    }

    /// <summary>Each place a string goes in a body, as a function of the string's content bytes.</summary>
    private static IEnumerable<(string Name, Func<byte[], byte[]> Build)> StringSlots()
    {
        foreach (var field in StringFields)
        {
            var guard = field == "privateKeyFormat" ? string.Empty : ", " + LastFieldInvalid;
            var prefix = field == "commonName" ? string.Empty : "\"commonName\": \"a\", ";
            yield return ($"certInfo.{field}", content => Concat(
                $"{{\"quantity\": 1, \"certInfo\": {{{prefix}\"{field}\": \"", content, $"\"{guard}}}}}"));
        }

        yield return ("certInfo.commonNameList[0]", content => Concat(
            "{\"certInfo\": {\"commonName\": \"`d-`${list}\", \"commonNameList\": [\"", content,
            $"\"], {LastFieldInvalid}}}}}"));

        foreach (var kind in new[] { "dns", "uri", "ipAddress" })
        {
            yield return ($"certInfo.subjectAltNames.{kind}[0]", content => Concat(
                $"{{\"quantity\": 1, \"certInfo\": {{\"commonName\": \"a\", \"subjectAltNames\": {{\"{kind}\": [\"",
                content, $"\"]}}, {LastFieldInvalid}}}}}"));
        }
    }

    private static string RandomUuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString("D");
    }

    private static byte[] Concat(string before, byte[] content, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. content, .. Encoding.UTF8.GetBytes(after)];

    /// <summary>A valid body unless <paramref name="top"/> or <paramref name="certInfo"/> adds a bad value.</summary>
    private static byte[] Body(string top = "\"quantity\": 1", string? certInfo = null)
    {
        var certInfoProperties = certInfo is null ? "\"commonName\": \"a\"" : $"\"commonName\": \"a\", {certInfo}";
        var json = top.Contains("\"certInfo\"", StringComparison.Ordinal)
            ? $"{{{top}}}"
            : $"{{{top}, \"certInfo\": {{{certInfoProperties}}}}}";
        return Encoding.UTF8.GetBytes(json);
    }

    private static byte[] ListBody(string list) => Encoding.UTF8.GetBytes(
        $"{{\"certInfo\": {{\"commonName\": \"`d-`${{list}}\", \"commonNameList\": {list}}}}}");

    private static HostileRequest Post(
        string description,
        byte[] body,
        string contentType = "application/json",
        string? accept = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new(description, HttpMethod.Post, "/certificates", body, contentType, accept, headers);
}
