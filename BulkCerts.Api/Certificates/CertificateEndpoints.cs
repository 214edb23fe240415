using System.Diagnostics;
using System.Text.Json;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Downloads;
using BulkCerts.Api.Http;
using BulkCerts.Api.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// The REST API of the original bulk certificates service: create a task, read its status,
/// download its certificates.
/// </summary>
public static class CertificateEndpoints
{
    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = 32 };

    public static IEndpointRouteBuilder MapCertificateEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/certificates", CreateTask).WithName("CreateTask");
        routes.MapPost("/supplier/{supplierId}/certificates", CreateSupplierTask).WithName("CreateSupplierTask");
        routes.MapGet("/certificates/{taskId}/task", GetTaskStatus).WithName("GetTaskStatus");
        routes.MapGet("/certificates/{taskId}", DownloadCertificates).WithName("DownloadCertificates");
        return routes;
    }

    public static Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateTask(
        HttpRequest request,
        TaskStore tasks,
        IOptions<BulkCertsOptions> options) =>
        CreateTaskAsync(request, tasks, options.Value, options.Value.DefaultCertificateAuthority, supplierId: null);

    public static Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateSupplierTask(
        string supplierId,
        HttpRequest request,
        TaskStore tasks,
        SupplierDirectory suppliers,
        IOptions<BulkCertsOptions> options)
    {
        if (!SupplierIds.IsValid(supplierId))
        {
            return Task.FromResult<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>>(
                ApiResults.BadRequest($"Supplier id '{Shorten(supplierId)}' is not valid; {SupplierIds.Rule}"));
        }

        if (!suppliers.TryGetAuthority(supplierId, out var authority))
        {
            return Task.FromResult<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>>(
                ApiResults.NotFound($"Supplier '{supplierId}' is not configured. Check the id, or ask the " +
                    $"operator to map it to a CA with the setting BulkCerts:Suppliers:{supplierId}."));
        }

        return CreateTaskAsync(request, tasks, options.Value, authority, supplierId);
    }

    public static async Task<Results<JsonHttpResult<TaskStatusResponse>, ProblemHttpResult>> GetTaskStatus(
        string taskId,
        HttpRequest request,
        TaskStore tasks)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return NotAcceptable(request.Headers.Accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        if (await FindTaskAsync(taskId, tasks) is not { } task)
        {
            return TaskNotFound(taskId);
        }

        var body = new TaskStatusResponse(
            task.TaskId,
            task.Status,
            task.BatchDate,
            task.ChunksPending,
            task.ChunksTotal,
            task.Status == TaskStates.Failed ? task.Message : null);
        return TypedResults.Json(body, StoreJson.Options, responseType);
    }

    public static async Task<Results<PushStreamHttpResult, SeeOtherHttpResult, ProblemHttpResult>> DownloadCertificates(
        string taskId,
        HttpContext context,
        TaskStore tasks,
        ZipDownload download)
    {
        var accept = context.Request.Headers.Accept;
        if (!MediaTypes.AcceptsZip(accept))
        {
            return NotAcceptable(accept, MediaTypes.Zip);
        }

        if (await FindTaskAsync(taskId, tasks) is not { } task)
        {
            return TaskNotFound(taskId);
        }

        switch (task.Status)
        {
            case TaskStates.Failed:
                return ApiResults.Problem(
                    StatusCodes.Status409Conflict,
                    $"Task {taskId} failed, so it has no certificates to download: {task.Message}");
            case not TaskStates.Complete:
                return new SeeOtherHttpResult($"/certificates/{taskId}/task");
        }

        if (!await tasks.AllChunkResultsExistAsync(task))
        {
            return ApiResults.Problem(
                StatusCodes.Status410Gone,
                $"The certificates of task {taskId} have expired or were deleted; create a new task.");
        }

        return TypedResults.Stream(
            stream => download.WriteAsync(task, stream, context.RequestAborted),
            MediaTypes.Zip,
            $"{taskId}.zip");
    }

    private static async Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateTaskAsync(
        HttpRequest request,
        TaskStore tasks,
        BulkCertsOptions options,
        string certificateAuthority,
        string? supplierId)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return NotAcceptable(request.Headers.Accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        if (!MediaTypes.IsJsonContent(request.ContentType))
        {
            return ApiResults.Problem(
                StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not supported; send the body as {MediaTypes.Json} " +
                $"or {MediaTypes.CdfJson}.");
        }

        var (body, bodyError) = await ReadBodyAsync(request);
        if (bodyError is not null)
        {
            return ApiResults.BadRequest(bodyError);
        }

        using (body)
        {
            var parsed = CreateTaskRequestParser.Parse(body!.RootElement, options);
            if (parsed.Request is not { } spec)
            {
                return ApiResults.BadRequest(parsed.Error!);
            }

            using var activity = ChunkDispatcher.ActivitySource.StartActivity("bulkcerts.chunks publish", ActivityKind.Producer);
            var traceContext = activity?.Context ?? Activity.Current?.Context ?? default;
            var task = await tasks.CreateAsync(spec, certificateAuthority, supplierId, traceContext);
            activity?.SetTag("bulkcerts.task_id", task.TaskId);
            activity?.SetTag("bulkcerts.chunks_total", task.ChunksTotal);

            request.HttpContext.Response.Headers.Location = $"/certificates/{task.TaskId}";
            request.HttpContext.Response.Headers["x-taskid"] = task.TaskId;
            return TypedResults.Json(
                new TaskCreatedResponse(task.TaskId, task.Status),
                StoreJson.Options,
                responseType,
                StatusCodes.Status202Accepted);
        }
    }

    private static async Task<(JsonDocument? Body, string? Error)> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length == 0)
        {
            return (null, "The request body is empty; send a JSON object such as " +
                "{\"quantity\": 10, \"certInfo\": {\"commonName\": \"device\"}}.");
        }

        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), BodyOptions), null);
        }
        catch (JsonException exception)
        {
            var position = exception.LineNumber is { } line
                ? $" at line {line + 1}, byte {exception.BytePositionInLine + 1}"
                : string.Empty;
            return (null, $"The request body is not valid JSON{position}; send a JSON object encoded as UTF-8.");
        }
    }

    private static async Task<TaskRecord?> FindTaskAsync(string taskId, TaskStore tasks) =>
        TaskIds.IsValid(taskId) ? await tasks.GetAsync(taskId) : null;

    private static ProblemHttpResult TaskNotFound(string taskId) => TaskIds.IsValid(taskId)
        ? ApiResults.NotFound($"Task {taskId} was not found. Check the id; tasks are deleted when their retention ends.")
        : ApiResults.NotFound($"Task id '{Shorten(taskId)}' is not valid; task ids are {TaskIds.Format}.");

    private static ProblemHttpResult NotAcceptable(string? accept, string offered) => ApiResults.Problem(
        StatusCodes.Status406NotAcceptable,
        $"Accept '{Shorten(accept ?? string.Empty)}' excludes every type this endpoint returns; accept {offered}.");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
