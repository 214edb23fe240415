using System.CommandLine;
using BulkCerts.Cli.Api;

namespace BulkCerts.Cli;

/// <summary>The options every command takes: where the API is and which key to send.</summary>
public sealed class GlobalOptions
{
    public const string UrlVariable = "BULKCERTS_URL";
    public const string ApiKeyVariable = "BULKCERTS_API_KEY";
    public const string DefaultUrl = "http://localhost:5080";

    public const string ApiKeyAdvice =
        $"Set {ApiKeyVariable} or pass --api-key. The AppHost's key is shown by " +
        "'dotnet user-secrets list --project BulkCerts.AppHost' (Parameters:api-key).";

    // Neither option has a default value factory: help prints such defaults, and the key must never be printed.
    public Option<string> Url { get; } = new("--url")
    {
        Description = $"Base URL of the BulkCerts API [env: {UrlVariable}; default: {DefaultUrl}]",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key sent in the x-api-key header [env: {ApiKeyVariable}]",
        HelpName = "KEY",
        Recursive = true,
    };

    /// <summary>Returns the base URL: the option, else the variable, else the default.</summary>
    public Uri ResolveUrl(ParseResult parseResult, CliEnvironment environment)
    {
        var text = parseResult.GetValue(Url) ?? NonEmpty(environment.GetVariable(UrlVariable)) ?? DefaultUrl;
        var source = parseResult.GetValue(Url) is not null ? "--url" : UrlVariable;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new CliException(
                $"{source} '{text}' is not an absolute http or https URL; use one such as {DefaultUrl}.",
                ExitCodes.Usage);
        }

        return url;
    }

    /// <summary>Returns the API key: the option, else the variable; fails when neither is set.</summary>
    public string ResolveApiKey(ParseResult parseResult, CliEnvironment environment) =>
        NonEmpty(parseResult.GetValue(ApiKey)) ?? NonEmpty(environment.GetVariable(ApiKeyVariable))
        ?? throw new CliException($"No API key was given. {ApiKeyAdvice}", ExitCodes.Unauthorized);

    public BulkCertsClient CreateClient(ParseResult parseResult, CliEnvironment environment) =>
        new(ResolveUrl(parseResult, environment), ResolveApiKey(parseResult, environment));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
