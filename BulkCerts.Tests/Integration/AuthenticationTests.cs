using System.Net;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class AuthenticationTests(BulkCertsAppFixture fixture)
{
    private const string SmallTask = """{"quantity": 2, "certInfo": {"commonName": "auth-device"}}""";

    [Theory]
    [InlineData("GET", "/certificateauthorities")]
    [InlineData("POST", "/certificates")]
    [InlineData("GET", "/certificates/3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f/task")]
    [InlineData("DELETE", "/certificates/3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f")]
    [InlineData("GET", "/no/such/path")]
    public async Task RequestWithoutKeyIsUnauthorized(string method, string path)
    {
        using var anonymous = fixture.CreateClient(apiKey: null);

        using var response = await anonymous.SendAsync(
            TaskClient.JsonRequest(new HttpMethod(method), path, method == "POST" ? SmallTask : null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        var message = await TaskClient.ReadMessageAsync(response);
        Assert.Contains($"{method} {path} requires credentials", message);
        Assert.Contains("x-api-key", message);
    }

    [Fact]
    public async Task WrongKeyIsUnauthorized()
    {
        const string WrongKey = "not-the-key-0123456789";
        using var client = fixture.CreateClient(WrongKey);

        using var request = TaskClient.JsonRequest(HttpMethod.Post, "/certificates", SmallTask);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var message = await TaskClient.ReadMessageAsync(response);
        Assert.StartsWith("The key in the x-api-key header is not valid", message);
        Assert.DoesNotContain(WrongKey, message);
    }

    [Fact]
    public async Task HealthNeedsNoCredentials()
    {
        using var anonymous = fixture.CreateClient(apiKey: null);

        using var response = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthTakesOnlyGetAndHead()
    {
        using var response = await fixture.Api.PostAsync("/health", content: null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST /health is not allowed", await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task ScopedKeyUsesOnlyItsSupplier()
    {
        using var acme = fixture.CreateClient(BulkCertsAppFixture.AcmeOnlyKey);
        var supplierPath = $"/supplier/{BulkCertsAppFixture.SupplierId}/certificates";
        var ownTask = await TaskClient.CreateAsync(acme, supplierPath, SmallTask);
        var otherTask = await TaskClient.CreateAsync(fixture.Api, "/certificates", SmallTask);

        Assert.Equal(ownTask, (await TaskClient.GetStatusAsync(acme, ownTask)).GetProperty("taskId").GetString());

        await AssertForbiddenAsync(
            acme, HttpMethod.Post, "/certificates", "may create tasks only for supplier Acme-Devices");
        await AssertForbiddenAsync(
            acme,
            HttpMethod.Post,
            $"/supplier/{BulkCertsAppFixture.OrphanSupplierId}/certificates",
            "outside the scope");
        await AssertForbiddenAsync(acme, HttpMethod.Get, $"/certificates/{otherTask}/task", "outside the scope");
        await AssertForbiddenAsync(acme, HttpMethod.Get, $"/certificates/{otherTask}", "outside the scope");
        await AssertForbiddenAsync(acme, HttpMethod.Delete, $"/certificates/{otherTask}", "outside the scope");
        var stillThere = await TaskClient.GetStatusAsync(fixture.Api, otherTask);
        Assert.Equal(otherTask, stillThere.GetProperty("taskId").GetString());
    }

    [Fact]
    public async Task ValidBearerTokenIsAccepted()
    {
        using var client = fixture.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", BearerTokens.Create(subject: "factory-7"));

        var taskId = await TaskClient.CreateAsync(client, "/certificates", SmallTask);

        Assert.Equal(taskId, (await TaskClient.GetStatusAsync(client, taskId)).GetProperty("taskId").GetString());
    }

    [Fact]
    public async Task IdempotencyKeysAreSeparatePerCredential()
    {
        using var tokenClient = fixture.CreateClient(apiKey: null);
        tokenClient.DefaultRequestHeaders.Authorization = new("Bearer", BearerTokens.Create(subject: "factory-9"));
        var idempotencyKey = Guid.NewGuid().ToString();

        var byKey = await CreateWithIdempotencyKeyAsync(fixture.Api, idempotencyKey);
        var byToken = await CreateWithIdempotencyKeyAsync(tokenClient, idempotencyKey);
        var repeated = await CreateWithIdempotencyKeyAsync(fixture.Api, idempotencyKey);

        Assert.NotEqual(byKey, byToken);
        Assert.Equal(byKey, repeated);
    }

    [Fact]
    public async Task TokenSupplierClaimLimitsScope()
    {
        using var client = fixture.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", BearerTokens.Create(
            subject: "acme-line-2",
            claims: new Dictionary<string, object> { ["suppliers"] = BulkCertsAppFixture.SupplierId }));

        await TaskClient.CreateAsync(client, $"/supplier/{BulkCertsAppFixture.SupplierId}/certificates", SmallTask);
        await AssertForbiddenAsync(client, HttpMethod.Post, "/certificates", "Credential 'jwt:acme-line-2'");
    }

    [Fact]
    public async Task EmptySupplierClaimGrantsNoSupplier()
    {
        using var client = fixture.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", BearerTokens.Create(
            subject: "empty-scope", claims: new Dictionary<string, object> { ["suppliers"] = Array.Empty<string>() }));

        await AssertForbiddenAsync(
            client, HttpMethod.Post, "/certificates", "may use no supplier, so it cannot create tasks");
        await AssertForbiddenAsync(
            client, HttpMethod.Post, $"/supplier/{BulkCertsAppFixture.SupplierId}/certificates", "outside the scope");
    }

    [Fact]
    public async Task TokenCannotSetInternalClaims()
    {
        using var client = fixture.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", BearerTokens.Create(
            subject: "mallory",
            claims: new Dictionary<string, object>
            {
                ["bulkcerts:credential"] = "api-key:development",
                ["bulkcerts:scoped"] = "true",
                ["suppliers"] = BulkCertsAppFixture.SupplierId,
            }));

        await AssertForbiddenAsync(client, HttpMethod.Post, "/certificates", "Credential 'jwt:mallory' may create");
    }

    [Fact]
    public async Task ScopedKeySeesOnlyItsSuppliers()
    {
        using var acme = fixture.CreateClient(BulkCertsAppFixture.AcmeOnlyKey);

        using var request = TaskClient.JsonRequest(HttpMethod.Get, "/certificateauthorities", null);
        using var response = await acme.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(BulkCertsAppFixture.SupplierId, body);
        Assert.DoesNotContain(BulkCertsAppFixture.OrphanSupplierId, body);
    }

    [Theory]
    [InlineData("expired", "The bearer token was rejected: it expired at ")]
    [InlineData("audience", "The bearer token was rejected: its audience is not 'bulkcerts-api'.")]
    [InlineData("issuer", "The bearer token was rejected: its issuer is not 'https://issuer.bulkcerts.test'.")]
    [InlineData("signature", "The bearer token was rejected: its signature does not verify with any configured key.")]
    [InlineData("subject", "The bearer token was rejected: it has no sub or client_id claim")]
    [InlineData("garbage", "The bearer token was rejected: it is not a well-formed JWT.")]
    public async Task BadBearerTokenIsUnauthorized(string flaw, string expectedStart)
    {
        var token = flaw switch
        {
            "expired" => BearerTokens.Create("factory-7", expires: DateTime.UtcNow.AddMinutes(-5)),
            "audience" => BearerTokens.Create("factory-7", audience: "someone-else"),
            "issuer" => BearerTokens.Create("factory-7", issuer: "https://elsewhere.test"),
            "signature" => BearerTokens.Create("factory-7", secret: new byte[32]),
            "subject" => BearerTokens.Create(subject: null),
            _ => "not.a.token",
        };
        using var client = fixture.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        using var request = TaskClient.JsonRequest(HttpMethod.Get, "/certificateauthorities", null);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var message = await TaskClient.ReadMessageAsync(response);
        Assert.StartsWith(expectedStart, message);
        Assert.DoesNotContain(token, message);
    }

    [Theory]
    [InlineData("x-api-key", "")]
    [InlineData("x-api-key", " ")]
    [InlineData("x-api-key", "fixture-api-key-8f41c2d7a9e34b6")]
    [InlineData("x-api-key", "fixture-api-key-8f41c2d7a9e34b6c, fixture-api-key-8f41c2d7a9e34b6c")]
    [InlineData("x-api-key", "' OR '1'='1")]
    [InlineData("x-api-key", "${jndi:ldap://127.0.0.1/a}")]
    [InlineData("x-api-key", "LONG")]
    [InlineData("Authorization", "Bearer")]
    [InlineData("Authorization", "Bearer ")]
    [InlineData("Authorization", "Bearer a.b.c")]
    [InlineData("Authorization", "Bearer ....")]
    [InlineData("Authorization", "Bearer LONG")]
    [InlineData("Authorization", "Basic Zml4dHVyZTpwYXNzd29yZA==")]
    [InlineData("Authorization", "NONE")]
    [InlineData("Authorization", "bearer NONE")]
    public async Task MalformedCredentialGetsJsonError(string header, string value)
    {
        var resolved = value switch
        {
            "LONG" => new string('k', 6000),
            "Bearer LONG" => "Bearer " + new string('k', 6000),
            "NONE" or "bearer NONE" => value.Replace("NONE", BearerTokens.CreateUnsigned(), StringComparison.Ordinal),
            _ => value,
        };
        using var anonymous = fixture.CreateClient(apiKey: null);
        using var request = TaskClient.JsonRequest(HttpMethod.Post, "/certificates", SmallTask);
        Assert.True(request.Headers.TryAddWithoutValidation(header, resolved));

        using var response = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(await TaskClient.ReadMessageAsync(response)));
    }

    [Fact]
    public async Task RequestRateIsLimitedPerKey()
    {
        using var slow = fixture.CreateClient(BulkCertsAppFixture.SlowKey);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8 && limited is null; i++)
        {
            using var request = TaskClient.JsonRequest(HttpMethod.Get, "/certificateauthorities", null);
            var response = await slow.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.Equal(5, statuses.Count(status => status == HttpStatusCode.OK));
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), limited.Headers.ToString());
            Assert.StartsWith(
                "Credential 'api-key:slow' sent more than 5 requests per minute, the limit " +
                "(BulkCerts:Auth:ApiKeys:slow:RequestsPerMinute); retry after ",
                await TaskClient.ReadMessageAsync(limited));
        }

        using var otherRequest = TaskClient.JsonRequest(HttpMethod.Get, "/certificateauthorities", null);
        using var other = await fixture.Api.SendAsync(otherRequest);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task RunningTasksAreCappedPerKey()
    {
        using var single = fixture.CreateClient(BulkCertsAppFixture.SingleTaskKey);
        const string LongTask = """{"quantity": 400, "certInfo": {"commonName": "capped-device"}}""";
        var first = await TaskClient.CreateAsync(single, "/certificates", LongTask);

        using (var second = await single.SendAsync(TaskClient.JsonRequest(HttpMethod.Post, "/certificates", SmallTask)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.NotNull(second.Headers.RetryAfter);
            Assert.StartsWith(
                "Credential 'api-key:single' already has 1 task pending or in progress, the most it may run at once " +
                "(BulkCerts:Auth:ApiKeys:single:MaxRunningTasks)",
                await TaskClient.ReadMessageAsync(second));
        }

        using (var deleted = await single.DeleteAsync($"/certificates/{first}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var third = await TaskClient.CreateAsync(single, "/certificates", SmallTask);
        var (status, _) = await TaskClient.WaitForEndAsync(single, third, TimeSpan.FromMinutes(2));
        Assert.Equal("complete", status.GetProperty("status").GetString());
    }

    private static async Task<string> CreateWithIdempotencyKeyAsync(HttpClient client, string idempotencyKey)
    {
        using var request = TaskClient.JsonRequest(HttpMethod.Post, "/certificates", SmallTask);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.GetValues("x-taskid").Single();
    }

    private static async Task AssertForbiddenAsync(HttpClient client, HttpMethod method, string path, string expected)
    {
        using var response = await client.SendAsync(
            TaskClient.JsonRequest(method, path, method == HttpMethod.Post ? SmallTask : null));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(expected, await TaskClient.ReadMessageAsync(response));
    }
}
