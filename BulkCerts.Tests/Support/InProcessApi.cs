using BulkCerts.Api;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BulkCerts.Tests.Support;

/// <summary>
/// Runs the Api's own Program in memory, in the Development environment unless
/// <see cref="EnvironmentName"/> sets another, for tests that read its endpoints and OpenAPI
/// document. The chunk dispatcher is removed and the Redis address is a closed loopback port. Requests
/// that need Redis or a CertEngine would fail, so the tests send none.
/// </summary>
/// <remarks>
/// The type argument only names the Api's assembly. Program would be ambiguous, because the tests
/// project also references the AppHost.
/// </remarks>
public sealed class InProcessApi : WebApplicationFactory<BulkCertsOptions>
{
    public const string ApiKey = "in-process-api-key";

    public string EnvironmentName { get; init; } = Environments.Development;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ConnectionStrings:redis", "127.0.0.1:1,abortConnect=false");
        builder.UseSetting("BulkCerts:ResultEncryptionKey", Convert.ToBase64String(new byte[32]));
        builder.UseSetting("BulkCerts:Auth:ApiKeys:tests:Hash", ApiKeyStore.HashKey(ApiKey));
        builder.UseSetting("BulkCerts:Auth:Jwt:Issuer", "https://issuer.bulkcerts.test");
        builder.UseSetting("BulkCerts:Auth:Jwt:Audience", "bulkcerts-api");
        builder.UseSetting("BulkCerts:Auth:Jwt:SigningKeys:0", Convert.ToBase64String(new byte[32]));
        builder.ConfigureServices(services =>
        {
            var dispatcher = services.Single(service => service.ImplementationType == typeof(ChunkDispatcher));
            services.Remove(dispatcher);
        });
    }
}
