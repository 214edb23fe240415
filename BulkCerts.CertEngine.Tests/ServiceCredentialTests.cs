using BulkCerts.CertEngine.Grpc;
using BulkCerts.CertEngine.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Tests;

public sealed class ServiceCredentialTests
{
    private const string Credential = "service-credential-5f0c9a7e21d4";

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer service-credential-5f0c9a7e21d")]
    [InlineData("Bearer service-credential-5f0c9a7e21d4 ")]
    [InlineData("service-credential-5f0c9a7e21d4")]
    [InlineData("Basic service-credential-5f0c9a7e21d4")]
    public async Task WrongCredentialIsUnauthenticated(string? authorization)
    {
        var interceptor = CreateInterceptor(Credential);

        UnaryServerMethod<string, string> service = (_, _) =>
            throw new InvalidOperationException("The call reached the service.");

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            interceptor.UnaryServerHandler("request", CreateContext(authorization), service));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task RightCredentialCallsThrough()
    {
        var response = await CreateInterceptor(Credential).UnaryServerHandler<string, string>(
            "request", CreateContext($"Bearer {Credential}"), (_, _) => Task.FromResult("response"));

        Assert.Equal("response", response);
    }

    [Fact]
    public async Task HealthCheckNeedsNoCredential()
    {
        var context = new TestServerCallContext(CancellationToken.None, "/grpc.health.v1.Health/Check");

        var response = await CreateInterceptor(Credential).UnaryServerHandler<string, string>(
            "request", context, (_, _) => Task.FromResult("serving"));

        Assert.Equal("serving", response);
    }

    [Fact]
    public void MissingCredentialFailsStart()
    {
        var result = new CertEngineOptionsValidator().Validate(name: null, new CertEngineOptions());

        Assert.True(result.Failed);
        Assert.StartsWith("CertEngine:ServiceCredential is empty.", result.FailureMessage);
    }

    [Fact]
    public void ExplicitOptOutIsAccepted()
    {
        var result = new CertEngineOptionsValidator().Validate(
            name: null, new CertEngineOptions { AllowAnonymousCallers = true });

        Assert.True(result.Succeeded);
    }

    private static ServiceCredentialInterceptor CreateInterceptor(string credential) =>
        new(Options.Create(new CertEngineOptions { ServiceCredential = credential }));

    private static TestServerCallContext CreateContext(string? authorization)
    {
        var context = new TestServerCallContext(CancellationToken.None);
        if (authorization is not null)
        {
            context.RequestHeaders.Add("authorization", authorization);
        }

        return context;
    }
}
