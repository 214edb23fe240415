using Grpc.Core;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>The call context of a gRPC service method called directly, without a server.</summary>
internal sealed class TestServerCallContext(
    CancellationToken cancellationToken,
    string method = "/bulkcerts.certengine.v1.CertificateEngine/Test") : ServerCallContext
{
    protected override string MethodCore => method;

    protected override string HostCore => "localhost";

    protected override string PeerCore => "ipv4:127.0.0.1:0";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; } = [];

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException("Tests do not propagate calls.");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}

/// <summary>Collects the messages that a server-streaming method writes.</summary>
internal sealed class CollectingStreamWriter<T> : IServerStreamWriter<T>
{
    public List<T> Messages { get; } = [];

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message)
    {
        lock (Messages)
        {
            Messages.Add(message);
        }

        return Task.CompletedTask;
    }

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(message);
    }
}
