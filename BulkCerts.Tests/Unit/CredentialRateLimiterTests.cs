using System.Net;
using BulkCerts.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Unit;

public sealed class CredentialRateLimiterTests
{
    [Fact]
    public void AnonymousEndpointIsLimitedPerAddress()
    {
        var options = new RateLimiterOptions();
        var limits = new RateLimitOptions { RequestsPerMinute = 2, Burst = 2 };
        CredentialRateLimiter.Configure(options, limits, new ApiKeyStore(Options.Create(new AuthOptions())));
        var limiter = options.GlobalLimiter!;

        var granted = Enumerable.Range(0, 3)
            .Select(_ => limiter.AttemptAcquire(AnonymousRequest("192.0.2.1")).IsAcquired)
            .ToList();
        var otherAddress = limiter.AttemptAcquire(AnonymousRequest("192.0.2.2")).IsAcquired;

        Assert.Equal([true, true, false], granted);
        Assert.True(otherAddress);
    }

    /// <summary>A request without credentials to an endpoint that allows anonymous callers.</summary>
    private static DefaultHttpContext AnonymousRequest(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        context.SetEndpoint(new Endpoint(
            requestDelegate: null,
            new EndpointMetadataCollection(new AllowAnonymousAttribute()),
            "signed chunk download"));
        return context;
    }
}
