using System.Threading.Channels;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace BulkCerts.CertEngine.Grpc;

/// <summary>
/// The gRPC face of the engine. Certificates of one call are generated in parallel and sent in
/// batches of whatever is ready, so a slow RSA key does not hold back the others. When the engine
/// stops, calls in flight end at once with Unavailable, and the caller issues them elsewhere.
/// </summary>
public sealed class CertificateEngineService(
    CertificateAuthorityStore authorities,
    IssuanceLimiter limiter,
    RsaKeyPool keyPool,
    IHostApplicationLifetime lifetime,
    IOptions<CertEngineOptions> options,
    ILogger<CertificateEngineService> logger) : CertificateEngine.CertificateEngineBase
{
    private const int MaxCertificatesPerMessage = 64;

    public override async Task IssueCertificates(
        IssueCertificatesRequest request,
        IServerStreamWriter<IssueCertificatesResponse> responseStream,
        ServerCallContext context)
    {
        var issuance = Validate(request);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(
            context.CancellationToken,
            lifetime.ApplicationStopping);
        logger.IssuanceStarted(issuance.Authority.Alias, issuance.Count, issuance.FirstIndex);
        try
        {
            await StreamCertificatesAsync(issuance, responseStream, context, cancellation.Token);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested
            && !context.CancellationToken.IsCancellationRequested)
        {
            logger.IssuanceAbortedByShutdown(issuance.Authority.Alias, issuance.Count, issuance.FirstIndex);
            throw new RpcException(new Status(
                StatusCode.Unavailable,
                "The CertEngine is stopping; issue these certificates again on another instance."));
        }

        logger.IssuanceCompleted(issuance.Authority.Alias, issuance.Count, issuance.FirstIndex);
    }

    private async Task StreamCertificatesAsync(
        IssuanceRequest issuance,
        IServerStreamWriter<IssueCertificatesResponse> responseStream,
        ServerCallContext context,
        CancellationToken cancellationToken)
    {

        // Headers now, before the first key is ready: clients and proxies that time out waiting for
        // response headers then see a live call even when every core is busy with other calls.
        await context.WriteResponseHeadersAsync([]);

        var ready = Channel.CreateUnbounded<IssuedCertificate>(new UnboundedChannelOptions { SingleReader = true });
        var producer = ProduceAsync(issuance, ready.Writer, cancellationToken);

        var batch = new IssueCertificatesResponse();
        while (await ready.Reader.WaitToReadAsync(cancellationToken))
        {
            while (batch.Certificates.Count < MaxCertificatesPerMessage && ready.Reader.TryRead(out var certificate))
            {
                batch.Certificates.Add(certificate);
            }

            await responseStream.WriteAsync(batch, cancellationToken);
            batch = new IssueCertificatesResponse();
        }

        await producer;
    }

    public override Task<GetCertificateAuthorityResponse> GetCertificateAuthority(
        GetCertificateAuthorityRequest request,
        ServerCallContext context)
    {
        var authority = FindAuthority(request.Alias);
        return Task.FromResult(new GetCertificateAuthorityResponse
        {
            Authority = Describe(authority),
            CertificateChainPem = authority.ChainPem,
        });
    }

    public override Task<ListCertificateAuthoritiesResponse> ListCertificateAuthorities(
        ListCertificateAuthoritiesRequest request,
        ServerCallContext context)
    {
        var response = new ListCertificateAuthoritiesResponse();
        response.Authorities.AddRange(authorities.All.OrderBy(authority => authority.Alias).Select(Describe));
        return Task.FromResult(response);
    }

    public override Task<SignRevocationListResponse> SignRevocationList(
        SignRevocationListRequest request,
        ServerCallContext context)
    {
        var authority = FindAuthority(request.CertificateAuthority);
        var der = RevocationListFactory.Sign(request, authority, DateTimeOffset.UtcNow);
        logger.RevocationListSigned(authority.Alias, request.CrlNumber, request.Revoked.Count);
        return Task.FromResult(new SignRevocationListResponse { CrlDer = Google.Protobuf.ByteString.CopyFrom(der) });
    }

    private static CertificateAuthorityInfo Describe(CertificateAuthority authority) => new()
    {
        Alias = authority.Alias,
        Subject = authority.Certificate.Subject,
        KeyAlgorithm = authority.KeyAlgorithmName,
        NotBefore = Timestamp.FromDateTime(authority.Certificate.NotBefore.ToUniversalTime()),
        NotAfter = Timestamp.FromDateTime(authority.Certificate.NotAfter.ToUniversalTime()),
    };

    private async Task ProduceAsync(
        IssuanceRequest issuance,
        ChannelWriter<IssuedCertificate> writer,
        CancellationToken cancellationToken)
    {
        try
        {
            var parallelOptions = new ParallelOptions
            {
                MaxDegreeOfParallelism = limiter.DegreeOfParallelism,
                CancellationToken = cancellationToken,
            };

            await Parallel.ForAsync(0, issuance.Count, parallelOptions, async (offset, token) =>
            {
                var certificate = await limiter.RunAsync(
                    () => issuance.SigningRequests.Count > 0
                        ? SigningRequestCertificateFactory.Issue(issuance, offset)
                        : DeviceCertificateFactory.Issue(issuance, offset, keyPool),
                    token);
                await writer.WriteAsync(certificate, token);
            });

            writer.Complete();
        }
        catch (Exception exception)
        {
            writer.Complete(exception);
            throw;
        }
    }

    private IssuanceRequest Validate(IssueCertificatesRequest request) =>
        IssuanceRequestValidator.Validate(
            request,
            FindAuthority(request.CertificateAuthority),
            options.Value,
            DateTimeOffset.UtcNow);

    private CertificateAuthority FindAuthority(string alias)
    {
        var name = string.IsNullOrEmpty(alias) ? CertificateAuthorityStore.DefaultAlias : alias;
        if (!authorities.TryGet(name, out var authority))
        {
            var known = string.Join(", ", authorities.All.Select(a => a.Alias));
            throw new RpcException(new Status(
                StatusCode.NotFound,
                $"Certificate authority '{name}' is not configured; known aliases: {known}."));
        }

        return authority;
    }
}
