using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.Registry;
using BulkCerts.Api.Tasks;
using BulkCerts.Api.V1;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// The registry of certificates of tasks created with "register": true, their revocation over REST
/// and gRPC, and the CAs' revocation lists, checked with openssl.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed partial class RegistryTests(BulkCertsAppFixture fixture) : IDisposable
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(2);

    // One registered task of the default CA, created by the first test that needs it, for tests
    // that do not revoke.
    private static readonly SemaphoreSlim SharedLock = new(1, 1);
    private static RegisteredTask? _shared;

    private readonly string _folder = Directory.CreateTempSubdirectory("bulkcerts-registry-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task RegisteredCertificatesMatchOpenssl()
    {
        var task = await CreateRegisteredAsync(3);

        foreach (var (certId, pem) in task.Certificates)
        {
            var record = await GetRecordAsync(certId);
            var openssl = await DescribeAsync(pem);

            Assert.Equal(certId, record.GetProperty("fingerprint").GetString());
            Assert.Equal(openssl["sha256 Fingerprint"].Replace(":", string.Empty).ToLowerInvariant(), certId);
            Assert.Equal(openssl["serial"], record.GetProperty("serialNumber").GetString());
            Assert.Equal(openssl["subject"], record.GetProperty("subject").GetString()!.Replace(", ", ","));
            Assert.Equal(openssl["issuer"], record.GetProperty("issuer").GetString()!.Replace(", ", ","));
            Assert.Equal(OpensslDate(openssl["notBefore"]), record.GetProperty("notBefore").GetDateTimeOffset());
            Assert.Equal(OpensslDate(openssl["notAfter"]), record.GetProperty("notAfter").GetDateTimeOffset());
            Assert.Equal("default", record.GetProperty("certificateAuthority").GetString());
            Assert.Equal(task.TaskId, record.GetProperty("taskId").GetString());
            Assert.Equal(JsonValueKind.Null, record.GetProperty("supplierId").ValueKind);
            Assert.Equal("valid", record.GetProperty("status").GetString());
            Assert.False(record.TryGetProperty("revocation", out _));
            var registeredAt = record.GetProperty("registeredAt").GetDateTimeOffset();
            Assert.InRange(registeredAt, DateTimeOffset.UtcNow.AddMinutes(-3), DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task RepeatedRegistrationKeepsRevocation()
    {
        var task = await CreateRegisteredAsync(1);
        var certId = task.Certificates[0].CertId;
        await RevokeAsync(certId, """{"reason": "keyCompromise"}""");
        var before = await GetRecordAsync(certId);
        await using var redis = await fixture.ConnectRedisAsync();
        var store = new RegistryStore(redis, Options.Create(new RegistryOptions()), TimeProvider.System);
        var record = new TaskRecord(
            TaskIds.New(), "in_progress", 0, 100, 1, 1, "default", null,
            new CertificateRequestSpec
            {
                Quantity = 2,
                CommonName = new NameTemplate(NameGenerator.Plain, string.Empty, "again", null),
                DaysExpiry = 1,
                Register = true,
            },
            Message: null, CertificatesIssued: 0);
        var again = new IssuedCertificate
        {
            CertId = certId,
            SerialNumber = "01",
            Subject = "CN=again",
            Issuer = "CN=again",
            NotBefore = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            NotAfter = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)),
        };
        var failed = new IssuedCertificate { Index = 1, Error = "The signing request's signature is not valid." };

        var added = await store.RegisterAsync(record, [again, failed]);
        var after = await GetRecordAsync(certId);

        Assert.Equal(0, added);
        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal("revoked", after.GetProperty("status").GetString());
        Assert.Equal(task.TaskId, after.GetProperty("taskId").GetString());
    }

    [Fact]
    public async Task UnregisteredTaskLeavesNoRecords()
    {
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", Body(2, register: false));
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        var manifest = TaskClient.ReadManifest(await TaskClient.DownloadAsync(fixture.Api, taskId));

        foreach (var (_, certId) in manifest)
        {
            using var response = await fixture.Api.GetAsync($"/registry/certificates/{certId}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains(certId, await TaskClient.ReadMessageAsync(response));
        }
    }

    [Fact]
    public async Task RecordsOutliveDeletedTask()
    {
        var task = await CreateRegisteredAsync(1);
        var certId = task.Certificates[0].CertId;

        using var deleted = await fixture.Api.DeleteAsync($"/certificates/{task.TaskId}");
        var record = await GetRecordAsync(certId);
        await using var redis = await fixture.ConnectRedisAsync();
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(RegistryKeys.Certificate("default", certId));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await fixture.FindTaskKeysAsync(task.TaskId));
        Assert.Equal(task.TaskId, record.GetProperty("taskId").GetString());
        var expected = record.GetProperty("notAfter").GetDateTimeOffset().AddDays(365) - DateTimeOffset.UtcNow;
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, expected - TimeSpan.FromMinutes(5), expected + TimeSpan.FromMinutes(5));
        Assert.True(ttl > TimeSpan.FromDays(7), "A record must outlive the task's retention.");
    }

    [Fact]
    public async Task LookupAcceptsUpperCaseAndColons()
    {
        var certId = (await SharedTaskAsync()).Certificates[0].CertId;
        var colons = string.Join(':', certId.Chunk(2).Select(pair => new string(pair))).ToUpperInvariant();

        var upper = await GetRecordAsync(certId.ToUpperInvariant());
        var separated = await GetRecordAsync(colons);

        Assert.Equal(certId, upper.GetProperty("fingerprint").GetString());
        Assert.Equal(certId, separated.GetProperty("fingerprint").GetString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000aa")]
    [InlineData("00:00:0000000000000000000000000000000000000000000000000000000000")]
    public async Task MalformedFingerprintIsRejected(string fingerprint)
    {
        using var response = await fixture.Api.GetAsync($"/registry/certificates/{fingerprint}");
        using var revoke = await fixture.Api.PostAsync($"/registry/certificates/{fingerprint}/revoke", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, revoke.StatusCode);
        var message = await TaskClient.ReadMessageAsync(response);
        Assert.Contains(fingerprint, message);
        Assert.Contains("64 hex digits", message);
        Assert.Equal(message, await TaskClient.ReadMessageAsync(revoke));
    }

    [Fact]
    public async Task UnknownFingerprintIsNotFound()
    {
        var unknown = new string('a', 64);

        using var response = await fixture.Api.GetAsync($"/registry/certificates/{unknown}");
        using var revoke = await fixture.Api.PostAsync($"/registry/certificates/{unknown}/revoke", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.Contains(unknown, await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task RevokeByNameThenRepeatConflicts()
    {
        var certId = (await CreateRegisteredAsync(1)).Certificates[0].CertId;

        var (status, revoked) = await RevokeAsync(certId, """{"reason": "keyCompromise"}""");
        var (repeatStatus, repeat) = await RevokeAsync(certId, """{"reasonCode": 4}""");
        var record = await GetRecordAsync(certId);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        var revocation = revoked.GetProperty("revocation");
        Assert.Equal("keyCompromise", revocation.GetProperty("reason").GetString());
        Assert.Equal(1, revocation.GetProperty("reasonCode").GetInt32());
        Assert.InRange(
            revocation.GetProperty("revokedAt").GetDateTimeOffset(),
            DateTimeOffset.UtcNow.AddMinutes(-1),
            DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.Conflict, repeatStatus);
        var message = repeat.GetProperty("message").GetString()!;
        Assert.Contains("already revoked", message);
        Assert.Contains("keyCompromise", message);
        Assert.Contains($"{revocation.GetProperty("revokedAt").GetDateTimeOffset():u}", message);
        Assert.Equal("keyCompromise", record.GetProperty("revocation").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("""{"reasonCode": 4}""", "superseded", 4)]
    [InlineData("""{"reason": "CessationOfOperation", "reasonCode": 5}""", "cessationOfOperation", 5)]
    [InlineData("""{"reasonCode": 10}""", "aACompromise", 10)]
    [InlineData("""{"reasonCode": 1e0}""", "keyCompromise", 1)]
    [InlineData("{}", "unspecified", 0)]
    [InlineData("", "unspecified", 0)]
    public async Task RevokeRecordsReasonCode(string body, string reason, int code)
    {
        var certId = (await CreateRegisteredAsync(1)).Certificates[0].CertId;

        var (status, revoked) = await RevokeAsync(certId, body.Length == 0 ? null : body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(reason, revoked.GetProperty("revocation").GetProperty("reason").GetString());
        Assert.Equal(code, revoked.GetProperty("revocation").GetProperty("reasonCode").GetInt32());
    }

    [Theory]
    [InlineData("""{"reasonCode": 8}""", "reason code 8 is not valid")]
    [InlineData("""{"reasonCode": 7}""", "reason code 7 is not valid")]
    [InlineData("""{"reasonCode": 1.5}""", "not a whole number")]
    [InlineData("""{"reasonCode": 99999999999999999999999999}""", "is out of range")]
    [InlineData("""{"reason": "removeFromCRL"}""", "'removeFromCRL' is not valid")]
    [InlineData("""{"reason": "stolen"}""", "'stolen' is not valid")]
    [InlineData("""{"reason": 1}""", "reason is a JSON number")]
    [InlineData("""{"reason": "keyCompromise", "reasonCode": 4}""", "name different reasons")]
    [InlineData("""{"cause": "keyCompromise"}""", "'cause' is not known")]
    [InlineData("""["keyCompromise"]""", "not an object")]
    [InlineData("""{"reason": """, "not valid UTF-8 JSON")]
    public async Task InvalidRevocationBodyIsRejected(string body, string expected)
    {
        var certId = (await SharedTaskAsync()).Certificates[0].CertId;

        var (status, problem) = await RevokeAsync(certId, body);
        var record = await GetRecordAsync(certId);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, problem.GetProperty("message").GetString());
        Assert.Equal("valid", record.GetProperty("status").GetString());
    }

    [Fact]
    public async Task NonJsonRevocationBodyIsUnsupported()
    {
        var certId = (await SharedTaskAsync()).Certificates[0].CertId;
        using var content = new StringContent("reason=keyCompromise", Encoding.UTF8, "text/plain");

        using var response = await fixture.Api.PostAsync($"/registry/certificates/{certId}/revoke", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("text/plain", await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task ScopedKeySeesOnlyItsSupplier()
    {
        using var acme = fixture.CreateClient(BulkCertsAppFixture.AcmeOnlyKey);
        var defaultCertId = (await SharedTaskAsync()).Certificates[0].CertId;
        var supplierTask = await CreateRegisteredAsync(
            1, $"/supplier/{BulkCertsAppFixture.SupplierId}/certificates");
        var supplierCertId = supplierTask.Certificates[0].CertId;

        using var forbidden = await acme.GetAsync($"/registry/certificates/{defaultCertId}");
        using var forbiddenRevoke = await acme.PostAsync($"/registry/certificates/{defaultCertId}/revoke", null);
        using var own = await acme.GetAsync($"/registry/certificates/{supplierCertId}");
        using var ownRevoke = await acme.PostAsync($"/registry/certificates/{supplierCertId}/revoke", null);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenRevoke.StatusCode);
        var message = await TaskClient.ReadMessageAsync(forbidden);
        Assert.Contains($"Certificate {defaultCertId} is outside the scope of credential", message);
        Assert.Contains(BulkCertsAppFixture.SupplierId, message);
        Assert.Equal(message, await TaskClient.ReadMessageAsync(forbiddenRevoke));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var ownBody = JsonDocument.Parse(await own.Content.ReadAsStringAsync());
        Assert.Equal(BulkCertsAppFixture.SupplierId, ownBody.RootElement.GetProperty("supplierId").GetString());
        Assert.Equal(BulkCertsAppFixture.SupplierAlias,
            ownBody.RootElement.GetProperty("certificateAuthority").GetString());
        Assert.Equal(HttpStatusCode.OK, ownRevoke.StatusCode);
        Assert.Equal("valid", (await GetRecordAsync(defaultCertId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RevokedCertificateFailsCrlCheck()
    {
        var task = await CreateRegisteredAsync(2);
        var (revokedId, revokedPem) = task.Certificates[0];
        var (goodId, goodPem) = task.Certificates[1];
        var (status, _) = await RevokeAsync(revokedId, """{"reason": "keyCompromise"}""");
        var serial = (await GetRecordAsync(revokedId)).GetProperty("serialNumber").GetString()!;
        var goodSerial = (await GetRecordAsync(goodId)).GetProperty("serialNumber").GetString()!;

        using var anonymous = fixture.CreateClient(apiKey: null);
        var der = await DownloadCrlAsync(anonymous, "default");
        var pem = await DownloadCrlAsync(anonymous, "default", "application/x-pem-file");
        await File.WriteAllBytesAsync(Path.Combine(_folder, "crl.der"), der.Body);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "crl.pem"), pem.Body);
        await File.WriteAllTextAsync(Path.Combine(_folder, "revoked.pem"), revokedPem);
        await File.WriteAllTextAsync(Path.Combine(_folder, "good.pem"), goodPem);
        var ca = fixture.DefaultCaCertificatePath;
        var verifyList = await Openssl.RunAsync(
            _folder, "crl", "-inform", "DER", "-in", "crl.der", "-CAfile", ca, "-noout");
        var text = await Openssl.RunAsync(_folder, "crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text");
        var revoked = await Openssl.RunAsync(
            _folder, "verify", "-crl_check", "-CAfile", ca, "-CRLfile", "crl.pem", "revoked.pem");
        var good = await Openssl.RunAsync(
            _folder, "verify", "-crl_check", "-CAfile", ca, "-CRLfile", "crl.pem", "good.pem");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/pkix-crl", der.MediaType);
        Assert.Equal("application/x-pem-file", pem.MediaType);
        Assert.StartsWith("-----BEGIN X509 CRL-----", Encoding.ASCII.GetString(pem.Body));
        Assert.NotEqual(der.ETag, pem.ETag);
        Assert.Contains("verify OK", verifyList.Output + verifyList.Error);
        Assert.Matches($@"Serial Number: {serial}\s+Revocation Date: [^\n]+\n\s+CRL entry extensions:\s+" +
            @"X509v3 CRL Reason Code:\s+Key Compromise", text.Output);
        Assert.DoesNotContain(goodSerial, text.Output);
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.Output + revoked.Error);
        Assert.True(good.ExitCode == 0, good.Output + good.Error);
        Assert.Equal("good.pem: OK", good.Output.Trim());
    }

    [Fact]
    public async Task CrlChangesOnlyAfterRevocation()
    {
        using var anonymous = fixture.CreateClient(apiKey: null);
        var certId = (await CreateRegisteredAsync(1)).Certificates[0].CertId;

        var first = await DownloadCrlAsync(anonymous, "default");
        var second = await DownloadCrlAsync(anonymous, "default");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/certificateauthorities/default/crl");
        conditional.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(first.ETag));
        using var notModified = await anonymous.SendAsync(conditional);
        await RevokeAsync(certId, """{"reason": "superseded"}""");
        var third = await DownloadCrlAsync(anonymous, "default");

        Assert.Equal(CrlNumber(first.Body), CrlNumber(second.Body));
        Assert.Equal(first.ETag, second.ETag);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.True(CrlNumber(third.Body) > CrlNumber(second.Body), "A revocation must give a higher cRLNumber.");
        Assert.NotEqual(first.ETag, third.ETag);
        Assert.InRange(first.MaxAge, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(10), TimeSpan.FromDays(7));
        Assert.NotNull(first.LastModified);
    }

    [Fact]
    public async Task ConcurrentCrlRequestsShareOneList()
    {
        using var anonymous = fixture.CreateClient(apiKey: null);
        var certId = (await CreateRegisteredAsync(1)).Certificates[0].CertId;
        var before = await DownloadCrlAsync(anonymous, "default");
        await RevokeAsync(certId, """{"reason": "affiliationChanged"}""");

        var lists = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => DownloadCrlAsync(anonymous, "default")));

        Assert.Single(lists.Select(list => list.ETag).Distinct());
        Assert.Equal(CrlNumber(before.Body) + 1, CrlNumber(lists[0].Body));
    }

    [Fact]
    public async Task SupplierCrlVerifiesWithItsCa()
    {
        using var anonymous = fixture.CreateClient(apiKey: null);

        var list = await DownloadCrlAsync(anonymous, BulkCertsAppFixture.SupplierAlias.ToUpperInvariant());
        await File.WriteAllBytesAsync(Path.Combine(_folder, "acme.crl"), list.Body);
        var verify = await Openssl.RunAsync(_folder,
            "crl", "-inform", "DER", "-in", "acme.crl", "-CAfile", fixture.SupplierCaCertificatePath, "-noout");

        Assert.Contains("verify OK", verify.Output + verify.Error);
    }

    [Theory]
    [InlineData("no-such-ca", HttpStatusCode.NotFound, "'no-such-ca' is not configured")]
    [InlineData("bad%20alias", HttpStatusCode.BadRequest, "'bad alias' is not valid")]
    public async Task BadCrlAliasIsRejected(string alias, HttpStatusCode expected, string message)
    {
        using var anonymous = fixture.CreateClient(apiKey: null);

        using var response = await anonymous.GetAsync($"/certificateauthorities/{alias}/crl");

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains(message, await TaskClient.ReadMessageAsync(response));
    }

    [Fact]
    public async Task GrpcLooksUpAndRevokes()
    {
        var certId = (await CreateRegisteredAsync(1)).Certificates[0].CertId;
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("api", "grpc"));
        var registry = new CertificateRegistry.CertificateRegistryClient(channel);
        var headers = new Metadata { { "x-api-key", BulkCertsAppFixture.ApiKey } };

        var found = await registry.GetCertificateAsync(
            new GetCertificateRequest { Fingerprint = certId.ToUpperInvariant() }, headers);
        var revoked = await registry.RevokeCertificateAsync(
            new RevokeCertificateRequest { Fingerprint = certId, Reason = RevocationReason.CessationOfOperation },
            headers);
        var repeat = await Assert.ThrowsAsync<RpcException>(() => registry.RevokeCertificateAsync(
            new RevokeCertificateRequest { Fingerprint = certId }, headers).ResponseAsync);
        var rest = await GetRecordAsync(certId);

        Assert.Equal(certId, found.Fingerprint);
        Assert.Equal(rest.GetProperty("serialNumber").GetString(), found.SerialNumber);
        Assert.Equal(rest.GetProperty("subject").GetString(), found.Subject);
        Assert.Equal("default", found.CertificateAuthority);
        Assert.Equal(CertificateStatus.Valid, found.Status);
        Assert.Equal(string.Empty, found.SupplierId);
        Assert.Equal(CertificateStatus.Revoked, revoked.Status);
        Assert.Equal(RevocationReason.CessationOfOperation, revoked.Revocation.Reason);
        Assert.Equal(
            rest.GetProperty("revocation").GetProperty("revokedAt").GetDateTimeOffset(),
            revoked.Revocation.RevokedAt.ToDateTimeOffset());
        Assert.Equal(StatusCode.AlreadyExists, repeat.StatusCode);
        Assert.Contains("cessationOfOperation", repeat.Status.Detail);
    }

    [Fact]
    public async Task GrpcReflectionListsRegistry()
    {
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("api", "grpc"));
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        using var call = reflection.ServerReflectionInfo(
            new Metadata { { "x-api-key", BulkCertsAppFixture.ApiKey } });
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "Reflection sent no response.");
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(service => service.Name);

        Assert.Contains("bulkcerts.api.v1.CertificateRegistry", services);
        Assert.Contains("bulkcerts.api.v1.TaskWatcher", services);
    }

    [Theory]
    [InlineData("not-hex", 0, BulkCertsAppFixture.ApiKey, StatusCode.InvalidArgument, "64 hex digits")]
    [InlineData("unknown", 0, BulkCertsAppFixture.ApiKey, StatusCode.NotFound, "is not in the registry")]
    [InlineData("shared", 0, BulkCertsAppFixture.AcmeOnlyKey, StatusCode.PermissionDenied, "outside the scope")]
    [InlineData("shared", 8, BulkCertsAppFixture.ApiKey, StatusCode.InvalidArgument, "reason code 8")]
    [InlineData("shared", 0, null, StatusCode.Unauthenticated, null)]
    public async Task GrpcRejectsBadCalls(string fingerprint, int reason, string? apiKey, StatusCode expected,
        string? message)
    {
        var value = fingerprint switch
        {
            "shared" => (await SharedTaskAsync()).Certificates[0].CertId,
            "unknown" => new string('b', 64),
            _ => fingerprint,
        };
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("api", "grpc"));
        var registry = new CertificateRegistry.CertificateRegistryClient(channel);
        var headers = new Metadata();
        if (apiKey is not null)
        {
            headers.Add("x-api-key", apiKey);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => registry.RevokeCertificateAsync(
            new RevokeCertificateRequest { Fingerprint = value, Reason = (RevocationReason)reason },
            headers).ResponseAsync);

        Assert.Equal(expected, error.StatusCode);
        if (message is not null)
        {
            Assert.Contains(message, error.Status.Detail);
        }

        if (reason == 0 && expected != StatusCode.Unauthenticated)
        {
            var lookup = await Assert.ThrowsAsync<RpcException>(() => registry.GetCertificateAsync(
                new GetCertificateRequest { Fingerprint = value }, headers).ResponseAsync);
            Assert.Equal(expected, lookup.StatusCode);
            Assert.Equal(error.Status.Detail, lookup.Status.Detail);
        }
    }

    private static string Body(int quantity, bool register = true) =>
        $$$"""
        {"quantity": {{{quantity}}}, "register": {{{(register ? "true" : "false")}}},
         "certInfo": {"commonName": "`reg-`0001${increment}", "organization": "Registry Tests",
                      "keyAlgorithm": "EC-P256"}}
        """;

    private async Task<RegisteredTask> SharedTaskAsync()
    {
        await SharedLock.WaitAsync();
        try
        {
            return _shared ??= await CreateRegisteredAsync(1);
        }
        finally
        {
            SharedLock.Release();
        }
    }

    private async Task<RegisteredTask> CreateRegisteredAsync(int quantity, string path = "/certificates")
    {
        var taskId = await TaskClient.CreateAsync(fixture.Api, path, Body(quantity));
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.Equal("complete", status.GetProperty("status").GetString());
        var entries = await TaskClient.DownloadAsync(fixture.Api, taskId);
        var certificates = TaskClient.ReadManifest(entries)
            .Select(entry => (entry.CertId, entries[$"{entry.CertId}_cert.pem"]))
            .ToList();
        return new RegisteredTask(taskId, certificates);
    }

    private async Task<JsonElement> GetRecordAsync(string fingerprint)
    {
        using var response = await fixture.Api.GetAsync($"/registry/certificates/{fingerprint}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> RevokeAsync(string fingerprint, string? body)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Api.PostAsync($"/registry/certificates/{fingerprint}/revoke", content);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }

    private static async Task<CrlResponse> DownloadCrlAsync(HttpClient client, string alias, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/certificateauthorities/{alias}/crl");
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.OK,
            $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        return new CrlResponse(
            body,
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.ETag?.ToString() ?? string.Empty,
            response.Headers.CacheControl?.MaxAge ?? TimeSpan.Zero,
            response.Content.Headers.LastModified);
    }

    private static BigInteger CrlNumber(byte[] der)
    {
        CertificateRevocationListBuilder.Load(der, out var number);
        return number;
    }

    /// <summary>Runs openssl x509 on a certificate and returns its name=value lines, names in RFC 2253 form.</summary>
    private async Task<Dictionary<string, string>> DescribeAsync(string pem)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, pem);
        var result = await Openssl.RunAsync(_folder,
            "x509", "-in", path, "-noout", "-serial", "-subject", "-issuer", "-dates", "-fingerprint", "-sha256",
            "-nameopt", "RFC2253");
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());
    }

    private static DateTimeOffset OpensslDate(string text) => DateTimeOffset.ParseExact(
        Spaces().Replace(text, " "), "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture,
        DateTimeStyles.AssumeUniversal);

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();

    private sealed record RegisteredTask(string TaskId, List<(string CertId, string Pem)> Certificates);

    private sealed record CrlResponse(
        byte[] Body,
        string? MediaType,
        string ETag,
        TimeSpan MaxAge,
        DateTimeOffset? LastModified);
}
