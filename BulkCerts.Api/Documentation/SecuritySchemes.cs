namespace BulkCerts.Api.Documentation;

/// <summary>Names of the security schemes in the OpenAPI document.</summary>
public static class SecuritySchemes
{
    public const string ApiKey = "ApiKey";
    public const string Bearer = "Bearer";
}
