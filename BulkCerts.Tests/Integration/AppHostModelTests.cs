using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace BulkCerts.Tests.Integration;

/// <summary>Checks the resources that the AppHost declares, without starting them.</summary>
public sealed class AppHostModelTests
{
    [Fact]
    public async Task EngineInstancesGetOwnPorts()
    {
        var dataPath = Directory.CreateTempSubdirectory("bulkcerts-model-").FullName;
        try
        {
            // The testing builder would give every endpoint a random port; dotnet run keeps the fixed ones.
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
                ["Redis:Mode=executable", $"DataPath={dataPath}", "CertEngine:Replicas=3"]);

            var engines = builder.Resources.OfType<ProjectResource>()
                .Where(resource => resource.Name.StartsWith("certengine", StringComparison.Ordinal))
                .ToList();
            var ports = engines
                .SelectMany(engine => engine.Annotations.OfType<EndpointAnnotation>())
                .Select(endpoint => endpoint.Port)
                .ToList();

            Assert.Equal(["certengine", "certengine-2", "certengine-3"], engines.Select(engine => engine.Name));
            Assert.Equal([5090, 5091, 5092, 5093, 5094, 5095], ports.Order());
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Theory]
    [InlineData("BulkCerts:SignedUrls:SigningKey")]
    [InlineData("BulkCerts:Auth:Jwt:SigningKeys:0")]
    [InlineData("BulkCerts:ResultEncryptionKey")]
    public async Task KeySettingBecomesSecretParameter(string setting)
    {
        var dataPath = Directory.CreateTempSubdirectory("bulkcerts-model-").FullName;
        try
        {
            var value = Convert.ToBase64String(new byte[32]);
            await using var builder =
                await DistributedApplicationTestingBuilder.CreateAsync<Projects.BulkCerts_AppHost>(
                    ["Redis:Mode=executable", $"DataPath={dataPath}", $"{setting}={value}"]);

            var parameterName = setting.ToLowerInvariant().Replace(':', '-');
            var parameter = builder.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == parameterName);

            Assert.NotNull(parameter);
            Assert.True(parameter.Secret);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
