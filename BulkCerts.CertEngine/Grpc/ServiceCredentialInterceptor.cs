using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Grpc;

/// <summary>
/// Rejects calls that lack the service credential with Unauthenticated, so only the Api (or a
/// tool given the secret) can have certificates signed. Health checks stay open for probes.
/// </summary>
public sealed class ServiceCredentialInterceptor(IOptions<CertEngineOptions> options) : Interceptor
{
    private const string HealthServicePrefix = "/grpc.health.v1.Health/";

    private readonly byte[]? _expected = options.Value.ServiceCredential is { Length: > 0 } credential
        ? SHA256.HashData(Encoding.UTF8.GetBytes($"Bearer {credential}"))
        : null;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (_expected is null || context.Method.StartsWith(HealthServicePrefix, StringComparison.Ordinal))
        {
            return;
        }

        // Hashing both sides first makes the comparison constant-time whatever the lengths.
        var presented = context.RequestHeaders.GetValue("authorization") ?? string.Empty;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (!CryptographicOperations.FixedTimeEquals(hash, _expected))
        {
            throw new RpcException(new Status(
                StatusCode.Unauthenticated,
                presented.Length == 0
                    ? "This call needs the service credential: send " +
                        "'authorization: Bearer <CertEngine:ServiceCredential>'."
                    : "The service credential in the authorization header is not valid."));
        }
    }
}
