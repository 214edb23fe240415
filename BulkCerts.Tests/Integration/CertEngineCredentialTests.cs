using Aspire.Hosting.Testing;
using BulkCerts.CertEngine.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class CertEngineCredentialTests(BulkCertsAppFixture fixture)
{
    [Theory]
    [InlineData(null, "This call needs the service credential")]
    [InlineData("Bearer guessed-credential-0123456789", "The service credential in the authorization header is not valid.")]
    public async Task CallWithoutCredentialIsRejected(string? authorization, string expectedMessage)
    {
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("certengine", "grpc"));
        var engine = new CertificateEngine.CertificateEngineClient(channel);
        var headers = new Metadata();
        if (authorization is not null)
        {
            headers.Add("authorization", authorization);
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await engine.ListCertificateAuthoritiesAsync(new ListCertificateAuthoritiesRequest(), headers));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.StartsWith(expectedMessage, error.Status.Detail);
    }

    [Fact]
    public async Task HealthCheckNeedsNoCredential()
    {
        using var channel = GrpcChannel.ForAddress(fixture.App.GetEndpoint("certengine", "grpc"));
        var health = new Health.HealthClient(channel);

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }
}
