using BulkCerts.Api;
using BulkCerts.Api.Authorities;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.Documentation;
using BulkCerts.Api.Downloads;
using BulkCerts.Api.Http;
using BulkCerts.Api.Registry;
using BulkCerts.Api.Security;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();
builder.AddRegistry();
builder.AddApiSecurity();
builder.AddApiDocument();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestLimitsMiddleware>();
app.UseApiSecurity();

app.MapCertificateEndpoints();
app.MapChunkDownloadEndpoints();
app.MapCertificateAuthorityEndpoints();
app.MapRegistryEndpoints();
app.MapRevocationListEndpoints();
app.MapApiDocument();

// gRPC for internal tools, on the HTTP/2 endpoint "grpc", with reflection for tools such as grpcurl.
app.MapGrpcService<TaskWatcherService>();
app.MapGrpcService<CertificateRegistryService>();
app.MapGrpcReflectionService();
app.MapDefaultEndpoints();

try
{
    // Load the result encryption key and the URL signing key before taking requests, so a bad key
    // stops the start.
    app.Services.GetRequiredService<ResultProtector>();
    app.Services.GetRequiredService<ChunkUrlSigner>();
    app.Run();
}
catch (OptionsValidationException exception)
{
    // Each failure names the setting to fix, so a stack trace would add nothing.
    app.Logger.LogCritical("The Api cannot start: {Failures}", string.Join(" ", exception.Failures));
    return 1;
}

return 0;
