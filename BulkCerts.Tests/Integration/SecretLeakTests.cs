using System.Net;
using System.Text;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Checks that no private key or credential reaches the console output or the OTLP export of any part of
/// the app. The scan covers everything captured since the shared app started, so it also covers the tests
/// of the collection that ran before this one.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class SecretLeakTests(BulkCertsAppFixture fixture)
{
    private const string PemPrivateKeyMarker = "PRIVATE KEY-----";
    private const string RejectedApiKey = "rejected-key-5e1c9a7f3b2d4e6a";
    private const int PemLineLength = 64;

    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Three export intervals of the services' batch processors, which the fixture sets to 500 ms.</summary>
    private static readonly TimeSpan ExportSettleTime = TimeSpan.FromMilliseconds(1500);

    [Fact]
    public async Task LogsAndTelemetryContainNoSecrets()
    {
        var bearerToken = BearerTokens.Create(subject: "leak-check");
        var rejectedToken = BearerTokens.Create(subject: "leak-check", secret: new byte[32]);
        List<Secret> secrets =
        [
            new("rejected API key", RejectedApiKey),
            new("bearer token", bearerToken),
            new("bearer token signature", bearerToken[(bearerToken.LastIndexOf('.') + 1)..]),
            new("rejected bearer token", rejectedToken),
        ];

        var (taskIds, issuedKeys) = await IssueCertificatesAsync();
        secrets.AddRange(await UseSignedUrlsAsync(taskIds[0]));
        await SendCredentialRequestsAsync(bearerToken, rejectedToken);
        var marker = await SendMarkerRequestAsync();
        await WaitForTelemetryAsync(taskIds[0], marker);

        var appSecrets = await fixture.ReadSecretsAsync();
        Assert.Contains(appSecrets, secret => secret.Name == BulkCertsAppFixture.EngineCredentialSecret);
        Assert.Contains(appSecrets, secret => secret.Name == BulkCertsAppFixture.ResultKeySecret);
        secrets.AddRange(appSecrets);
        foreach (var (name, pem) in issuedKeys.Append(await ReadAuthorityKeysAsync()).SelectMany(keys => keys))
        {
            secrets.AddRange(PemBodyLines(pem).Select((line, i) => new Secret($"line {i + 1} of {name}", line)));
        }

        AssertCaptured(taskIds);
        var scanner = new SecretScanner(secrets);
        var findings = scanner.ScanLogs(fixture.Logs.Lines)
            .Concat(scanner.ScanTelemetry(fixture.Telemetry.Payloads))
            .ToList();
        Assert.True(findings.Count == 0, $"Secrets found in the output:{Environment.NewLine}" +
            string.Join(Environment.NewLine, findings));
    }

    /// <summary>
    /// Issues RSA keys in PKCS#1 and EC keys in PKCS#8, downloads both zips and returns the task ids and the
    /// private keys by zip entry name.
    /// </summary>
    private async Task<(List<string> TaskIds, List<Dictionary<string, string>> Keys)> IssueCertificatesAsync()
    {
        string[] bodies =
        [
            """{"quantity": 3, "certInfo": {"commonName": "leak-check-rsa", "keyAlgorithm": "RSA-2048"}}""",
            """
            {"quantity": 3, "certInfo": {"commonName": "leak-check-ec", "keyAlgorithm": "EC-P256",
             "privateKeyFormat": "pkcs8"}}
            """,
        ];
        var taskIds = new List<string>();
        var keys = new List<Dictionary<string, string>>();
        foreach (var body in bodies)
        {
            var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
            var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
            Assert.Equal("complete", status.GetProperty("status").GetString());

            var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);
            var taskKeys = entries
                .Where(entry => entry.Value.Contains(PemPrivateKeyMarker, StringComparison.Ordinal))
                .ToDictionary(entry => $"{entry.Key} of task {taskId}", entry => entry.Value);
            Assert.Equal(3, taskKeys.Count);
            taskIds.Add(taskId);
            keys.Add(taskKeys);
        }

        return (taskIds, keys);
    }

    /// <summary>
    /// Requests signed URLs of a task, downloads its first chunk with one and sends an altered one, and
    /// returns the signatures, since each is a credential for its chunk's private keys.
    /// </summary>
    private async Task<List<Secret>> UseSignedUrlsAsync(string taskId)
    {
        var path = $"/certificates/{taskId}?downloadType=signedUrl";
        using var response = await fixture.Api.SendAsync(TaskClient.JsonRequest(HttpMethod.Get, path, null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var content = await response.Content.ReadAsStringAsync();
        var urls = System.Text.Json.JsonSerializer.Deserialize<List<string>>(content)!;

        using var anonymous = fixture.CreateClient(apiKey: null);
        using (var chunk = await anonymous.GetAsync(urls[0]))
        {
            Assert.Equal(HttpStatusCode.OK, chunk.StatusCode);
        }

        var altered = urls[0].Replace("/chunks/1?", "/chunks/2?", StringComparison.Ordinal);
        using (var rejected = await anonymous.GetAsync(altered))
        {
            Assert.Equal(HttpStatusCode.Forbidden, rejected.StatusCode);
        }

        return [.. urls.Select((url, i) =>
            new Secret($"signature of signed URL {i + 1}", url[(url.LastIndexOf('=') + 1)..]))];
    }

    /// <summary>Sends requests with each kind of credential the Api accepts or rejects, and a malformed body.</summary>
    private async Task SendCredentialRequestsAsync(string bearerToken, string rejectedToken)
    {
        using var bearer = fixture.CreateClient(apiKey: null);
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        var bearerTask = await TaskClient.CreateAsync(
            bearer, "/certificates", """{"quantity": 1, "certInfo": {"commonName": "leak-check-bearer"}}""");
        var (status, _) = await TaskClient.WaitForEndAsync(bearer, bearerTask, TaskTimeout);
        Assert.Equal("complete", status.GetProperty("status").GetString());

        using var rejectedBearer = fixture.CreateClient(apiKey: null);
        rejectedBearer.DefaultRequestHeaders.Authorization = new("Bearer", rejectedToken);
        await AssertStatusAsync(
            rejectedBearer, HttpMethod.Get, "/certificateauthorities", null, HttpStatusCode.Unauthorized);

        using var rejectedKey = fixture.CreateClient(RejectedApiKey);
        await AssertStatusAsync(
            rejectedKey, HttpMethod.Get, "/certificateauthorities", null, HttpStatusCode.Unauthorized);

        // The slow key is left out because another test counts the requests it may send per minute.
        using var acme = fixture.CreateClient(BulkCertsAppFixture.AcmeOnlyKey);
        await AssertStatusAsync(acme, HttpMethod.Get, "/certificateauthorities", null, HttpStatusCode.OK);
        await AssertStatusAsync(
            acme, HttpMethod.Post, "/certificates", """{"quantity": 1}""", HttpStatusCode.Forbidden);

        using var single = fixture.CreateClient(BulkCertsAppFixture.SingleTaskKey);
        await AssertStatusAsync(single, HttpMethod.Get, "/certificateauthorities", null, HttpStatusCode.OK);

        const string MalformedBody = """{"quantity": 3, "certInfo": """;
        await AssertStatusAsync(
            fixture.Api, HttpMethod.Post, "/certificates", MalformedBody, HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Requests the status of a task that does not exist and returns its id, which the request's span
    /// carries, so its arrival at the receiver shows that the spans of every earlier request were exported.
    /// </summary>
    private async Task<string> SendMarkerRequestAsync()
    {
        var marker = Guid.NewGuid().ToString();
        await AssertStatusAsync(
            fixture.Api, HttpMethod.Get, $"/certificates/{marker}/task", null, HttpStatusCode.NotFound);
        return marker;
    }

    private static async Task AssertStatusAsync(
        HttpClient client,
        HttpMethod method,
        string path,
        string? body,
        HttpStatusCode expected)
    {
        using var response = await client.SendAsync(TaskClient.JsonRequest(method, path, body));
        Assert.True(
            response.StatusCode == expected,
            $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: " +
            await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Waits until the logs of the first task and the span of the marker request have been exported, then
    /// for a few more export intervals, so the records of every request sent before are in.
    /// </summary>
    private async Task WaitForTelemetryAsync(string taskId, string marker)
    {
        using var timeout = new CancellationTokenSource(TelemetryTimeout);
        while (!(Exported("logs", taskId) && Exported("traces", marker)))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail(
                    $"Within {TelemetryTimeout} the OTLP receiver got {fixture.Telemetry.Count("logs")} logs and " +
                    $"{fixture.Telemetry.Count("traces")} traces payloads, but not the logs of task {taskId} " +
                    $"(found: {Exported("logs", taskId)}) and the span of request {marker} " +
                    $"(found: {Exported("traces", marker)}).");
            }
        }

        await Task.Delay(ExportSettleTime);
    }

    private bool Exported(string signal, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return fixture.Telemetry.Payloads
            .Any(payload => payload.Signal == signal && payload.Body.AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>
    /// Asserts that lines of each resource and telemetry of each service arrived, including records of this
    /// test's first task, so the scan cannot pass for lack of data.
    /// </summary>
    private void AssertCaptured(List<string> taskIds)
    {
        foreach (var resource in new[] { "api", "certengine", "redis" })
        {
            Assert.True(fixture.Logs.CountResourceLines(resource) > 0, $"No log line of {resource} was captured.");
        }

        Assert.Contains(fixture.Logs.Lines, line =>
            line.Category.EndsWith(".Resources.api", StringComparison.Ordinal)
            && line.Text.Contains($"of task {taskIds[0]}", StringComparison.Ordinal));

        foreach (var signal in new[] { "logs", "traces" })
        {
            var services = fixture.Telemetry.Payloads
                .Where(payload => payload.Signal == signal)
                .SelectMany(payload => payload.ServiceNames())
                .ToHashSet();
            Assert.True(
                services.IsSupersetOf(["api", "certengine"]),
                $"OTLP {signal} came only from: {string.Join(", ", services)}");
        }
    }

    /// <summary>Returns the private keys of the generated default CA and of the supplier CA.</summary>
    private async Task<Dictionary<string, string>> ReadAuthorityKeysAsync()
    {
        var paths = new Dictionary<string, string>
        {
            ["the default CA key"] = Path.Combine(Path.GetDirectoryName(fixture.DefaultCaCertificatePath)!, "ca.key"),
            ["the supplier CA key"] = Path.Combine(fixture.DataPath, "acme-ca.key"),
        };
        var keys = new Dictionary<string, string>();
        foreach (var (name, path) in paths)
        {
            keys[name] = await File.ReadAllTextAsync(path);
        }

        return keys;
    }

    /// <summary>Returns the full-length base64 lines of a PEM body: each is long enough to be unique.</summary>
    private static IEnumerable<string> PemBodyLines(string pem) =>
        pem.Split('\n', StringSplitOptions.TrimEntries)
            .Where(line => line.Length == PemLineLength && !line.StartsWith("-----", StringComparison.Ordinal));
}
