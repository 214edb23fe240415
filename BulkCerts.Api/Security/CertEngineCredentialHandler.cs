using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Security;

/// <summary>Presents <c>BulkCerts:CertEngineCredential</c> to the CertEngine on every call.</summary>
internal sealed class CertEngineCredentialHandler(IOptions<BulkCertsOptions> options) : DelegatingHandler
{
    private readonly AuthenticationHeaderValue? _authorization =
        options.Value.CertEngineCredential is { Length: > 0 } credential
            ? new AuthenticationHeaderValue("Bearer", credential)
            : null;

    protected override Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= _authorization;
        return base.SendAsync(request, cancellationToken);
    }
}
