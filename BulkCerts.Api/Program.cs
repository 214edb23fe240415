using BulkCerts.Api;
using BulkCerts.Api.Authorities;
using BulkCerts.Api.Certificates;
using BulkCerts.Api.Http;
using BulkCerts.Api.Security;
using BulkCerts.Api.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();
builder.AddApiSecurity();

var app = builder.Build();

// Load the result encryption key before taking requests, so a bad key stops the start.
app.Services.GetRequiredService<ResultProtector>();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<RequestLimitsMiddleware>();
app.UseApiSecurity();

app.MapCertificateEndpoints();
app.MapCertificateAuthorityEndpoints();
app.MapDefaultEndpoints();

app.Run();
