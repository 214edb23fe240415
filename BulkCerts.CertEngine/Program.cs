using BulkCerts.CertEngine;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCertEngineServices();

var app = builder.Build();

// Load the certificate authorities before taking calls, so a bad CA file stops the start.
app.Services.GetRequiredService<CertificateAuthorityStore>();

app.MapGrpcService<CertificateEngineService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
app.MapDefaultEndpoints();

app.Run();
