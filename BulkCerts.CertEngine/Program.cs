using BulkCerts.CertEngine;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Grpc;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCertEngineServices();

var app = builder.Build();
try
{
    if (!app.PinToConfiguredCores())
    {
        return 1;
    }

    // Load the certificate authorities before taking calls, so a bad CA file stops the start. The
    // store has already logged the reason, so a stack trace would add nothing.
    try
    {
        app.Services.GetRequiredService<CertificateAuthorityStore>();
    }
    catch (AuthorityLoadException)
    {
        return 1;
    }

    app.WarnIfAnonymousCallers();
    app.MapGrpcService<CertificateEngineService>();
    app.MapGrpcHealthChecksService();
    app.MapGrpcReflectionService();
    app.MapDefaultEndpoints();

    app.Run();
}
catch (OptionsValidationException exception)
{
    // Each failure names the setting to fix, so a stack trace would add nothing.
    app.Logger.LogCritical("The CertEngine cannot start: {Failures}", string.Join(" ", exception.Failures));
    return 1;
}

return 0;
