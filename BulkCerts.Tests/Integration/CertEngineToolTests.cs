using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Calls the CertEngine as the README shows for internal tools: through gRPC server reflection, as
/// grpcurl does, and with the README's C# client.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class CertEngineToolTests(BulkCertsAppFixture fixture)
{
    private const string IssueMethod = "bulkcerts.certengine.v1.CertificateEngine/IssueCertificates";

    /// <summary>The services that <c>grpcurl list</c> prints, in the README's order.</summary>
    private static readonly string[] Services =
    [
        "bulkcerts.certengine.v1.CertificateEngine",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ];

    [Fact]
    public async Task ReflectionListsEngineServices()
    {
        var response = await ReflectAsync(new ServerReflectionRequest { ListServices = string.Empty });

        Assert.Equal(Services, response.ListServicesResponse.Service.Select(service => service.Name).Order());
    }

    [Theory]
    [InlineData("bulkcerts.certengine.v1.CertificateEngine.IssueCertificates")]
    [InlineData("bulkcerts.certengine.v1.IssueCertificatesRequest")]
    public async Task ReflectionDescribesIssueCertificates(string symbol)
    {
        var response = await ReflectAsync(new ServerReflectionRequest { FileContainingSymbol = symbol });

        var files = BuildFiles(response.FileDescriptorResponse.FileDescriptorProto);
        var method = files.SelectMany(file => file.Services)
            .Single(service => service.FullName == "bulkcerts.certengine.v1.CertificateEngine")
            .FindMethodByName("IssueCertificates");
        Assert.NotNull(method);
        Assert.True(method.IsServerStreaming);
        Assert.False(method.IsClientStreaming);
        Assert.Equal(IssueCertificatesRequest.Descriptor.FullName, method.InputType.FullName);
        Assert.Equal(IssueCertificatesResponse.Descriptor.FullName, method.OutputType.FullName);

        // The engine describes the same fields as the contract the clients compile.
        Assert.Equal(FieldsOf(IssueCertificatesRequest.Descriptor), FieldsOf(method.InputType));
        Assert.Equal(FieldsOf(IssuedCertificate.Descriptor), FieldsOf(method.OutputType.Fields.InDeclarationOrder()
            .Single(field => field.Name == "certificates").MessageType));
    }

    [Fact]
    public async Task ReflectionNeedsServiceCredential()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            ReflectAsync(new ServerReflectionRequest { ListServices = string.Empty }, new Metadata()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task ReadmeGrpcurlRequestIssuesCertificates()
    {
        // grpcurl sends the body of its -d option as the request, in the JSON mapping of protobuf.
        var request = JsonParser.Default.Parse<IssueCertificatesRequest>(ReadmeRequestBody());
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("certengine", "grpc"));
        var engine = new CertificateEngine.CertificateEngineClient(channel);

        using var call = engine.IssueCertificates(request, await CredentialHeadersAsync());
        var issued = new List<IssuedCertificate>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            issued.AddRange(response.Certificates);
        }

        Assert.Equal(request.Count, issued.Count);
        Assert.Equal(["tool-0001", "tool-0002"], issued.Select(certificate => certificate.CommonName).Order());
    }

    [Fact]
    public async Task CSharpSnippetIssuesVerifiedCertificates()
    {
        var address = fixture.App.GetEndpoint("certengine", "grpc");
        var credential = await fixture.GetEngineCredentialAsync();
        var folder = Directory.CreateTempSubdirectory("bulkcerts-snippet-").FullName;
        try
        {
            // The README's C# example from here on, unchanged.
            using var channel = GrpcChannel.ForAddress(address);
            var engine = new CertificateEngine.CertificateEngineClient(channel);
            var headers = new Metadata { { "authorization", $"Bearer {credential}" } };

            var request = new IssueCertificatesRequest
            {
                CertificateAuthority = "default",
                Count = 2,
                KeyAlgorithm = KeyAlgorithm.EcP256,
                Subject = new Subject { CommonName = new NameRule { Prefix = "tool-", IncrementStart = "0001" } },
            };
            using var call = engine.IssueCertificates(request, headers);
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                foreach (var certificate in response.Certificates)
                {
                    var path = Path.Combine(folder, certificate.CertId);
                    await File.WriteAllTextAsync($"{path}_cert.pem", certificate.CertificatePem);
                    await File.WriteAllTextAsync($"{path}_key.pem", certificate.PrivateKeyPem);
                }
            }

            await AssertOpensslAcceptsAsync(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Checks that openssl verifies each certificate in <paramref name="folder"/> against the default
    /// CA and that each private key belongs to its certificate.
    /// </summary>
    private async Task AssertOpensslAcceptsAsync(string folder)
    {
        var certificates = Directory.GetFiles(folder, "*_cert.pem").Order().ToList();
        Assert.Equal(2, certificates.Count);

        var verified = await Openssl.RunAsync(
            folder, ["verify", "-CAfile", fixture.DefaultCaCertificatePath, .. certificates]);
        Assert.True(verified.ExitCode == 0, verified.Output + verified.Error);

        var names = new List<string>();
        foreach (var certificatePath in certificates)
        {
            var keyPath = certificatePath.Replace("_cert.pem", "_key.pem", StringComparison.Ordinal);
            var certificateKey = await Openssl.RunAsync(folder, "x509", "-in", certificatePath, "-noout", "-pubkey");
            var privateKey = await Openssl.RunAsync(folder, "pkey", "-in", keyPath, "-pubout");
            Assert.True(privateKey.ExitCode == 0, privateKey.Error);
            Assert.Equal(certificateKey.Output, privateKey.Output);

            using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificatePath));
            names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }

        Assert.Equal(["tool-0001", "tool-0002"], names.Order());
    }

    private async Task<Metadata> CredentialHeadersAsync() =>
        new() { { "authorization", $"Bearer {await fixture.GetEngineCredentialAsync()}" } };

    /// <summary>Sends one request on the reflection stream, as grpcurl does, and returns the response.</summary>
    private async Task<ServerReflectionResponse> ReflectAsync(ServerReflectionRequest request, Metadata? headers = null)
    {
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("certengine", "grpc"));
        var reflection = new ServerReflection.ServerReflectionClient(channel);

        using var call = reflection.ServerReflectionInfo(headers ?? await CredentialHeadersAsync());
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "Reflection sent no response.");

        var response = call.ResponseStream.Current;
        Assert.True(response.ErrorResponse is null, response.ErrorResponse?.ErrorMessage);
        return response;
    }

    /// <summary>
    /// Builds descriptors from the files that reflection returned. Each file must follow the files it
    /// imports, so they are ordered first.
    /// </summary>
    private static IReadOnlyList<FileDescriptor> BuildFiles(IEnumerable<ByteString> files)
    {
        var byName = files.ToDictionary(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name);
        var ordered = new List<ByteString>();
        var added = new HashSet<string>();

        void Add(string name)
        {
            if (!byName.TryGetValue(name, out var bytes) || !added.Add(name))
            {
                return;
            }

            foreach (var dependency in FileDescriptorProto.Parser.ParseFrom(bytes).Dependency)
            {
                Add(dependency);
            }

            ordered.Add(bytes);
        }

        foreach (var name in byName.Keys)
        {
            Add(name);
        }

        return FileDescriptor.BuildFromByteStrings(ordered);
    }

    private static List<string> FieldsOf(MessageDescriptor message) =>
        [.. message.Fields.InFieldNumberOrder().Select(field => $"{field.FieldNumber} {field.Name} {field.FieldType}")];

    /// <summary>Returns the -d body of the README's grpcurl call of IssueCertificates.</summary>
    private static string ReadmeRequestBody()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var call = readme.IndexOf($"localhost:5090 {IssueMethod}", StringComparison.Ordinal);
        Assert.True(call > 0, $"The README has no grpcurl call of {IssueMethod}.");

        var body = Regex.Matches(readme[..call], "-d '(?<json>[^']*)'").LastOrDefault();
        Assert.True(body is not null, "The README's grpcurl call has no -d body.");
        return body.Groups["json"].Value;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "BulkCerts.sln")))
        {
            folder = folder.Parent;
        }

        Assert.True(folder is not null, $"No folder above {AppContext.BaseDirectory} holds BulkCerts.sln.");
        return folder.FullName;
    }
}
