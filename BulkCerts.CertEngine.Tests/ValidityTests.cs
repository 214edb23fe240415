using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Tests.Support;
using Grpc.Core;

namespace BulkCerts.CertEngine.Tests;

public sealed class ValidityTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    // The fixture's CAs are valid for 30 days from their creation, a moment before the test.
    [Theory]
    [InlineData(31, "days_expiry 31 would end after the CA's notAfter")]
    [InlineData(400, "days_expiry 400 would end after the CA's notAfter")]
    [InlineData(0, "days_expiry 0 (the default of 365 days) would end after the CA's notAfter")]
    public void ValidityPastCaNotAfterRejected(int days, string reason)
    {
        var request = TestIssuance.Request();
        request.DaysExpiry = days;

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["RSA"]));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains(reason, exception.Status.Detail);
        Assert.Contains("use at most 29 days", exception.Status.Detail);
    }

    [Fact]
    public void ValidityWithinCaAccepted()
    {
        var request = TestIssuance.Request();
        request.DaysExpiry = 29;
        var authority = authorities["RSA"];

        var issued = TestIssuance.Issue(request, authority).Single();
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.True(certificate.NotAfter <= authority.Certificate.NotAfter);
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 29, 29.01);
    }
}
