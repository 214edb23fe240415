using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace BulkCerts.AppHost;

/// <summary>
/// The dashboard command "Create sample task" of the Api: it posts a task of 10 EC-P256
/// certificates with the api-key parameter and reports the task id.
/// </summary>
internal static class SampleTaskCommand
{
    public const string Name = "create-sample-task";

    public const string Body =
        """{"quantity": 10, "certInfo": {"commonName": "`sample-`0001${increment}", "keyAlgorithm": "EC-P256"}}""";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static IResourceBuilder<ProjectResource> WithSampleTaskCommand(
        this IResourceBuilder<ProjectResource> api,
        IResourceBuilder<ParameterResource> apiKey)
    {
        api.ApplicationBuilder.Services.AddHttpClient();
        return api.WithCommand(
            Name,
            "Create sample task",
            context => CreateTaskAsync(context, api.Resource.GetEndpoint("http"), apiKey.Resource),
            new CommandOptions
            {
                Description = "Creates a task of 10 EC-P256 certificates with the api-key parameter",
                IconName = "DocumentAdd",
                UpdateState = context =>
                    StateFor(context.ResourceSnapshot.State?.Text, context.ResourceSnapshot.HealthStatus),
            });
    }

    /// <summary>Enables the command only while the Api runs and passes its health checks.</summary>
    public static ResourceCommandState StateFor(string? state, HealthStatus? health) =>
        state == KnownResourceStates.Running && health == HealthStatus.Healthy
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;

    private static async Task<ExecuteCommandResult> CreateTaskAsync(
        ExecuteCommandContext context,
        EndpointReference endpoint,
        ParameterResource apiKey)
    {
        // A client may run the command while the dashboard still shows it enabled, so check again.
        var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
        notifications.TryGetCurrentState(context.ResourceName, out var current);
        var state = current?.Snapshot.State?.Text;
        var health = current?.Snapshot.HealthStatus;
        if (StateFor(state, health) != ResourceCommandState.Enabled || !endpoint.IsAllocated)
        {
            return CommandResults.Failure(
                $"The Api is not ready to take a task (state: {state ?? "unknown"}, health: " +
                $"{health?.ToString() ?? "unknown"}). Start it, or wait " +
                "until it is Running and Healthy, then run the command again.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(endpoint.Url), "/certificates"));
        request.Headers.Add("x-api-key", await apiKey.GetValueAsync(timeout.Token));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Content = new StringContent(Body, Encoding.UTF8, "application/json");

        var client = context.Services.GetRequiredService<IHttpClientFactory>().CreateClient();
        try
        {
            using var response = await client.SendAsync(request, timeout.Token);
            var content = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return CommandResults.Failure(
                    $"The Api rejected the sample task with {(int)response.StatusCode}: {ReadMessage(content)}");
            }

            using var json = JsonDocument.Parse(content);
            var taskId = json.RootElement.GetProperty("taskId").GetString();
            context.Logger.LogInformation("Created sample task {TaskId} of 10 EC-P256 certificates", taskId);
            return CommandResults.Success($"Created sample task {taskId}; GET /certificates/{taskId}/task shows it.");
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            return CommandResults.Failure(
                $"The Api at {endpoint.Url} did not answer within {RequestTimeout.TotalSeconds} seconds; check its " +
                "logs, then run the command again.");
        }
        catch (HttpRequestException exception)
        {
            return CommandResults.Failure(
                $"Sending the sample task to {endpoint.Url} failed: {exception.Message} Check that the Api is " +
                "reachable, then run the command again.");
        }
    }

    /// <summary>Returns the <c>message</c> of an error response, or its whole body when it has none.</summary>
    private static string ReadMessage(string content)
    {
        try
        {
            using var json = JsonDocument.Parse(content);
            return json.RootElement.TryGetProperty("message", out var message) ? message.ToString() : content;
        }
        catch (JsonException)
        {
            return content;
        }
    }
}
