using System.Net;
using System.Text.Json;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class CertificateAuthorityTests(BulkCertsAppFixture fixture)
{
    [Fact]
    public async Task ListShowsAuthoritiesAndSuppliers()
    {
        using var response = await fixture.Api.GetAsync("/certificateauthorities");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var authorities = json.RootElement.EnumerateArray().ToDictionary(entry => entry.GetProperty("alias").GetString()!);
        Assert.Equal(["acme", "default"], authorities.Keys.Order());

        var acme = authorities["acme"];
        Assert.Equal("CN=Acme Devices Supplier CA, O=Acme Devices", acme.GetProperty("subject").GetString());
        Assert.Equal("RSA-2048", acme.GetProperty("keyAlgorithm").GetString());
        Assert.Equal([BulkCertsAppFixture.SupplierId], acme.GetProperty("suppliers").EnumerateArray().Select(s => s.GetString()));
        var notAfter = acme.GetProperty("notAfter").GetDateTimeOffset();
        Assert.InRange(notAfter, DateTimeOffset.UtcNow.AddDays(399), DateTimeOffset.UtcNow.AddDays(401));
        Assert.Empty(authorities["default"].GetProperty("suppliers").EnumerateArray());
    }

    [Fact]
    public async Task ChainIsServedAsPem()
    {
        using var response = await fixture.Api.GetAsync("/certificateauthorities/ACME");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-pem-file", response.Content.Headers.ContentType?.MediaType);
        var expected = (await File.ReadAllTextAsync(fixture.SupplierCaCertificatePath)).Trim();
        Assert.Equal(expected, (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task UnknownAuthorityIsNotFound()
    {
        using var response = await fixture.Api.GetAsync("/certificateauthorities/nobody");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("Certificate authority 'nobody' is not configured", json.RootElement.GetProperty("message").GetString());
    }
}
