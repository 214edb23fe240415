using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using BulkCerts.Api.Authorities;
using BulkCerts.Api.ChunkQueue;
using BulkCerts.Api.Documentation;
using BulkCerts.Api.Downloads;
using BulkCerts.Api.Http;
using BulkCerts.Api.Security;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.CertEngine.V1;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// The REST API of the original bulk certificates service: create a task, read its status,
/// download its certificates.
/// </summary>
public static class CertificateEndpoints
{
    private const string Example = "{\"quantity\": 10, \"certInfo\": {\"commonName\": \"device\"}}";

    private const int RunningTasksRetryAfterSeconds = 10;

    private static readonly byte[] Utf8ByteOrderMark = [0xEF, 0xBB, 0xBF];
    private static readonly byte[] JsonWhitespace = " \t\r\n"u8.ToArray();

    private static readonly JsonDocumentOptions BodyOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public static IEndpointRouteBuilder MapCertificateEndpoints(this IEndpointRouteBuilder routes)
    {
        var certificates = routes.MapGroup(string.Empty).WithTags("Certificates");

        certificates.MapPost("/certificates", CreateTask)
            .WithName("CreateTask")
            .WithSummary("Create a task signed by the default CA")
            .DescribeCreateTask("Invalid JSON, a body that is not UTF-8, a missing or invalid field, a field that " +
                "certification requests exclude, a malformed application/x-ndjson line, an invalid " +
                "Idempotency-Key, or a daysExpiry past the CA's notAfter.")
            .ProducesError(StatusCodes.Status403Forbidden,
                "The credential is limited to suppliers; use POST /supplier/{supplierId}/certificates.");

        certificates.MapPost("/supplier/{supplierId}/certificates", CreateSupplierTask)
            .WithName("CreateSupplierTask")
            .WithSummary("Create a task signed by the supplier's CA")
            .DescribeCreateTask("An invalid supplier id, invalid JSON, a body that is not UTF-8, a missing or " +
                "invalid field, a field that certification requests exclude, a malformed application/x-ndjson " +
                "line, an invalid Idempotency-Key, or a daysExpiry past the CA's notAfter.")
            .ProducesError(StatusCodes.Status403Forbidden, "The supplier is outside the credential's scope.")
            .ProducesError(StatusCodes.Status404NotFound, "No supplier with this id is configured.");

        certificates.MapGet("/certificates/{taskId}/task", GetTaskStatus)
            .WithName("GetTaskStatus")
            .WithSummary("Read a task's status and progress")
            .ProducesJson<TaskStatusResponse>(StatusCodes.Status200OK, "The task's status and progress.")
            .ProducesTaskErrors()
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes both JSON media types.");

        certificates.MapGet("/certificates/{taskId}/events", WatchTask)
            .WithName("WatchTask")
            .WithSummary("Stream a task's progress as server-sent events")
            .WithDescription("Sends the task's status now and after each change as `progress` events whose data " +
                "is the status body. Ends when the task is complete or failed, or with a `deleted` event.")
            .WithRequestHeader("Last-Event-ID", "The id of the last event received; the stream continues after it.")
            .ProducesContent(StatusCodes.Status200OK, typeof(string), "The event stream.", MediaTypes.EventStream)
            .ProducesNoContent(StatusCodes.Status204NoContent,
                "A reconnection (Last-Event-ID) to a task that has ended: there is nothing more to follow.")
            .ProducesTaskErrors()
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes text/event-stream.");

        certificates.MapGet("/certificates/{taskId}", DownloadCertificates)
            .WithName("DownloadCertificates")
            .WithSummary("Download a complete task's certificates and keys")
            .WithDescription("Returns a zip of `{certId}_cert.pem`, `{certId}_key.pem` and " +
                "`certificate_manifest.json`; with outputFormat pkcs12, `{certId}_cert.pem` and `{certId}.p12`; " +
                "with der, `{certId}_cert.der` and `{certId}_key.der`. A task that signed certification requests " +
                "has no keys; its manifest entries carry the request's `row`, and `errors.json` lists the rows " +
                "that could not be signed as `{\"row\", \"reason\"}`. A task with a recipientCertificate gets the " +
                "zip encrypted to it as CMS EnvelopedData, `{taskId}.p7m` (application/pkcs7-mime; " +
                "smime-type=enveloped-data). While the task runs, redirects to its status.")
            .WithQueryParameter(DownloadTypes.ParameterName, "`signedUrl` returns a JSON array of signed URLs, one per " +
                "chunk in chunk order, each downloading that chunk's zip without credentials until it expires; " +
                "`zip`, the default, returns the whole zip.")
            .ProducesContent(StatusCodes.Status200OK, typeof(Stream), "The zip of the task's certificates (encrypted " +
                "as application/pkcs7-mime for a task with a recipientCertificate), or with downloadType=signedUrl a " +
                "JSON array of signed URLs.", MediaTypes.Zip, MediaTypes.Pkcs7Mime, MediaTypes.Json, MediaTypes.CdfJson)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The JSON forms of the 200 response are the signed URLs, not the zip's bytes.
                var urls = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" },
                };
                foreach (var (type, content) in operation.Responses!["200"].Content!)
                {
                    if (type is not (MediaTypes.Zip or MediaTypes.Pkcs7Mime))
                    {
                        content.Schema = urls;
                    }
                }

                return Task.CompletedTask;
            })
            .ProducesNoContent(StatusCodes.Status303SeeOther, "The task is pending or in progress.")
            .WithResponseHeader(StatusCodes.Status303SeeOther, "Location",
                "The task's status: /certificates/{taskId}/task.")
            .ProducesTaskErrors("Redis is unreachable (see Retry-After), or the certificates were encrypted under a " +
                "key the Api no longer has.")
            .ProducesError(StatusCodes.Status400BadRequest, "downloadType has a value other than signedUrl or zip.")
            .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes application/zip (or, " +
                "for an encrypted download, application/pkcs7-mime) and JSON.")
            .ProducesError(StatusCodes.Status409Conflict, "The task failed, for the reason in the message.")
            .ProducesError(StatusCodes.Status410Gone, "The task's certificates have expired or were deleted.");

        certificates.MapDelete("/certificates/{taskId}", DeleteTask)
            .WithName("DeleteTask")
            .WithSummary("Delete a task with its certificates and keys")
            .WithDescription("Deletes at once, also while the task runs; chunks still queued are not issued.")
            .ProducesNoContent(StatusCodes.Status204NoContent, "The task is deleted.")
            .ProducesTaskErrors();

        return routes;
    }

    /// <summary>Documents what both create endpoints share: the body, the 202 response and most errors.</summary>
    private static RouteHandlerBuilder DescribeCreateTask(
        this RouteHandlerBuilder builder,
        string badRequest) => builder
        .WithDescription("Accepts the task and returns at once; the certificates are issued in the background. " +
            "Poll GET /certificates/{taskId}/task until its status is complete, then download them.")
        .AcceptsJson<CreateTaskRequest>("The certificates to issue. As application/x-ndjson: certification " +
            "requests to sign, one SigningRequestRow per line, after an optional line of task settings; up to " +
            "BulkCerts:MaxCsrUploadBytes, read line by line.")
        .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            // Each line of the upload is one row; OpenAPI 3.1 has no schema for a sequence of lines.
            var row = await SchemaComponents.ReferenceAsync(typeof(SigningRequestRow), context, cancellationToken);
            operation.RequestBody!.Content![MediaTypes.Ndjson] = new OpenApiMediaType
            {
                Schema = row,
                Example = SigningRequestRow.Example,
            };
        })
        .WithRequestHeader(IdempotencyKeys.HeaderName, "1 to 255 visible ASCII characters, such as a UUID. A " +
            "repeated request with the same key returns the task the first one created.")
        .ProducesJson<TaskCreatedResponse>(StatusCodes.Status202Accepted, "The task is accepted.")
        .WithResponseHeader(StatusCodes.Status202Accepted, "Location", "/certificates/{taskId}, the download.")
        .WithResponseHeader(StatusCodes.Status202Accepted, "x-taskid", "The task id.")
        .ProducesError(StatusCodes.Status400BadRequest, badRequest)
        .ProducesError(StatusCodes.Status406NotAcceptable, "The Accept header excludes both JSON media types.")
        .ProducesError(StatusCodes.Status408RequestTimeout, "The request body arrived too slowly.")
        .ProducesError(StatusCodes.Status409Conflict,
            "Another request with the same Idempotency-Key is being created; retry.")
        .ProducesError(StatusCodes.Status413PayloadTooLarge, "The body is over BulkCerts:MaxRequestBodyBytes (an " +
            "application/x-ndjson upload: BulkCerts:MaxCsrUploadBytes), or commonNameList or the certification " +
            "requests are more than BulkCerts:MaxQuantity.")
        .ProducesError(StatusCodes.Status415UnsupportedMediaType,
            "The body is neither JSON nor application/x-ndjson, or is declared in a charset other than UTF-8.")
        .ProducesError(StatusCodes.Status422UnprocessableEntity,
            "The Idempotency-Key was used before for a different request.")
        .ProducesUnavailable("Redis is unreachable (see Retry-After), or the CA is not configured in the CertEngine.");

    /// <summary>Documents the errors of every request for one task: 403, 404 and 503.</summary>
    private static RouteHandlerBuilder ProducesTaskErrors(
        this RouteHandlerBuilder builder,
        string unavailable = "Redis is unreachable; retry after the Retry-After seconds.") => builder
        .ProducesError(StatusCodes.Status403Forbidden, "The task belongs to a supplier outside the credential's scope.")
        .ProducesError(StatusCodes.Status404NotFound, "No task has this id, or the id is not a UUID.")
        .ProducesUnavailable(unavailable);

    private static RouteHandlerBuilder ProducesUnavailable(this RouteHandlerBuilder builder, string description) =>
        builder
            .ProducesError(StatusCodes.Status503ServiceUnavailable, description)
            .WithResponseHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After",
                "Seconds to wait; sent when Redis is unreachable.", JsonSchemaType.Integer);

    public static Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateTask(
        HttpRequest request,
        TaskStore tasks,
        IdempotencyKeys idempotency,
        CertificateAuthorityCatalog catalog,
        RunningTaskLimit runningTasks,
        ResultProtector protector,
        IOptions<BulkCertsOptions> options)
    {
        var credential = request.HttpContext.GetCredential();
        if (credential.Suppliers is not null)
        {
            var message = credential.Suppliers.Count == 0
                ? $"Credential '{credential.Name}' may use no supplier, so it cannot create tasks; ask for a " +
                    "credential with a supplier scope."
                : $"Credential '{credential.Name}' may create tasks only for {credential.DescribeScope()}; " +
                    "use POST /supplier/{supplierId}/certificates.";
            return Task.FromResult<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>>(
                ApiResults.Problem(StatusCodes.Status403Forbidden, message));
        }

        var authority = options.Value.DefaultCertificateAuthority;
        var context = new CreateContext(
            tasks, idempotency, catalog, runningTasks, protector, options.Value, credential);
        return CreateTaskAsync(request, context, authority, supplierId: null);
    }

    public static Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateSupplierTask(
        string supplierId,
        HttpRequest request,
        TaskStore tasks,
        IdempotencyKeys idempotency,
        CertificateAuthorityCatalog catalog,
        RunningTaskLimit runningTasks,
        SupplierDirectory suppliers,
        ResultProtector protector,
        IOptions<BulkCertsOptions> options)
    {
        if (!SupplierIds.IsValid(supplierId))
        {
            return Task.FromResult<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>>(
                ApiResults.BadRequest(
                    $"Supplier id '{MessageText.Shorten(supplierId)}' is not valid; {SupplierIds.Rule}"));
        }

        var credential = request.HttpContext.GetCredential();
        if (!credential.MayUse(supplierId))
        {
            return Task.FromResult<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>>(
                OutOfScope(credential, $"Supplier '{supplierId}'"));
        }

        if (!suppliers.TryGetAuthority(supplierId, out var authority))
        {
            return Task.FromResult<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>>(
                ApiResults.NotFound($"Supplier '{supplierId}' is not configured. Check the id, or ask the " +
                    $"operator to map it to a CA with the setting BulkCerts:Suppliers:{supplierId}."));
        }

        var context = new CreateContext(
            tasks, idempotency, catalog, runningTasks, protector, options.Value, credential);
        return CreateTaskAsync(request, context, authority, supplierId);
    }

    public static async Task<Results<JsonHttpResult<TaskStatusResponse>, ProblemHttpResult>> GetTaskStatus(
        string taskId,
        HttpRequest request,
        TaskStore tasks)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return ApiResults.NotAcceptable(request.Headers.Accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        if (await FindTaskAsync(taskId, tasks) is not { } task)
        {
            return TaskNotFound(taskId);
        }

        if (CheckScope(request.HttpContext, task) is { } forbidden)
        {
            return forbidden;
        }

        return TypedResults.Json(TaskStatusResponse.From(task), StoreJson.Options, responseType);
    }

    /// <summary>
    /// Streams the task's progress as server-sent events named <c>progress</c>, each holding the
    /// status body, until the task completes or fails; <c>deleted</c> ends the stream of a task that
    /// was deleted meanwhile. A client that reconnects with Last-Event-ID continues after that event,
    /// or gets 204 when the task has ended.
    /// </summary>
    public static async Task<Results<PushStreamHttpResult, NoContent, ProblemHttpResult>> WatchTask(
        string taskId,
        HttpContext context,
        TaskStore tasks,
        TaskProgressFeed feed)
    {
        var accept = context.Request.Headers.Accept;
        if (!MediaTypes.AcceptsEventStream(accept))
        {
            return ApiResults.NotAcceptable(accept, MediaTypes.EventStream);
        }

        if (await FindTaskAsync(taskId, tasks) is not { } task)
        {
            return TaskNotFound(taskId);
        }

        if (CheckScope(context, task) is { } forbidden)
        {
            return forbidden;
        }

        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0 && task.HasEnded)
        {
            // A browser's EventSource reconnects after every stream that ends, until it gets 204.
            return TypedResults.NoContent();
        }

        context.Response.Headers.CacheControl = "no-cache";

        // Tells a buffering reverse proxy such as nginx to pass each event on at once.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.Stream(
            stream => ProgressEvents.WriteAsync(
                feed.WatchAsync(task, lastEventId.Length == 0 ? null : lastEventId, context.RequestAborted),
                stream,
                context.RequestAborted),
            MediaTypes.EventStream);
    }

    /// <summary>
    /// Downloads a complete task: one zip, or with <c>downloadType=signedUrl</c> a JSON array of
    /// signed URLs, one per chunk, each of which downloads that chunk's zip without credentials.
    /// </summary>
    public static async Task<Results<PushStreamHttpResult, JsonHttpResult<string[]>, SeeOtherHttpResult,
        ProblemHttpResult>> DownloadCertificates(
        string taskId,
        HttpContext context,
        TaskStore tasks,
        ZipDownload download,
        ChunkUrlIssuer signedUrls)
    {
        var (downloadType, typeProblem) = DownloadTypes.Read(context.Request.Query);
        if (typeProblem is not null)
        {
            return typeProblem;
        }

        var accept = context.Request.Headers.Accept;
        var jsonType = MediaTypes.SelectJsonResponseType(accept);
        if (downloadType == DownloadType.SignedUrl && jsonType is null)
        {
            return ApiResults.NotAcceptable(accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        if (downloadType == DownloadType.Zip && !MediaTypes.AcceptsEncryptedZip(accept))
        {
            return ApiResults.NotAcceptable(accept, $"{MediaTypes.Zip} or {MediaTypes.Pkcs7Mime}");
        }

        if (await FindTaskAsync(taskId, tasks) is not { } task)
        {
            return TaskNotFound(taskId);
        }

        if (downloadType == DownloadType.Zip && task.Request.RecipientCertificate is null
            && !MediaTypes.AcceptsZip(accept))
        {
            return ApiResults.NotAcceptable(accept, MediaTypes.Zip);
        }

        if (CheckScope(context, task) is { } forbidden)
        {
            return forbidden;
        }

        switch (task.Status)
        {
            case TaskStates.Failed:
                return DownloadProblems.Failed(task);
            case not TaskStates.Complete:
                return new SeeOtherHttpResult($"/certificates/{task.TaskId}/task");
        }

        var chunks = ChunkRange.Whole(task);
        var readiness = await download.CheckAsync(task, chunks);
        if (DownloadProblems.ForReadiness(readiness, $"The certificates of task {task.TaskId}") is { } problem)
        {
            return problem;
        }

        if (downloadType == DownloadType.SignedUrl)
        {
            return SignedUrls(task, context, signedUrls, jsonType!);
        }

        // The zip contains private keys, so no cache may keep it.
        context.Response.Headers.CacheControl = "no-store";
        var (contentType, fileName) = ZipDownload.DescribeFile(task, task.TaskId);
        return TypedResults.Stream(
            stream => download.WriteAsync(task, chunks, stream, context.RequestAborted),
            contentType,
            fileName);
    }

    /// <summary>
    /// Deletes a task with its certificates and private keys at once. Chunks still queued are
    /// skipped, and a chunk in flight is discarded when it completes.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTask(
        string taskId,
        HttpContext context,
        TaskStore tasks)
    {
        if (context.GetCredential().Suppliers is not null)
        {
            // A scoped credential may delete only its suppliers' tasks, so look the task up first.
            if (await FindTaskAsync(taskId, tasks) is not { } task)
            {
                return TaskNotFound(taskId);
            }

            if (CheckScope(context, task) is { } forbidden)
            {
                return forbidden;
            }
        }

        if (!TaskIds.IsValid(taskId) || !await tasks.DeleteAsync(taskId.ToLowerInvariant()))
        {
            return TaskNotFound(taskId);
        }

        return TypedResults.NoContent();
    }

    private static Results<PushStreamHttpResult, JsonHttpResult<string[]>, SeeOtherHttpResult, ProblemHttpResult>
        SignedUrls(TaskRecord task, HttpContext context, ChunkUrlIssuer signedUrls, string responseType)
    {
        if (signedUrls.Issue(task, context) is not { } urls)
        {
            return ApiResults.BadRequest(
                "The request has no Host header, so no absolute URL can be built; send a Host header, or ask the " +
                $"operator to set {SignedUrlOptions.SectionName}:BaseUrl.");
        }

        // The URLs are credentials for the private keys, so no cache may keep them.
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(urls, StoreJson.Options, responseType);
    }

    private static async Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateTaskAsync(
        HttpRequest request,
        CreateContext context,
        string certificateAuthority,
        string? supplierId)
    {
        if (MediaTypes.SelectJsonResponseType(request.Headers.Accept) is not { } responseType)
        {
            return ApiResults.NotAcceptable(request.Headers.Accept, $"{MediaTypes.Json} or {MediaTypes.CdfJson}");
        }

        if (MediaTypes.IsNdjsonContent(request.ContentType))
        {
            return await CreateUploadTaskAsync(request, context, certificateAuthority, supplierId, responseType);
        }

        if (!MediaTypes.IsJsonContent(request.ContentType))
        {
            return ApiResults.Problem(
                StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{MessageText.Shorten(request.ContentType ?? string.Empty)}' is not supported; " +
                $"send the body as {MediaTypes.Json} or {MediaTypes.CdfJson}, encoded as UTF-8, or certification " +
                $"requests as {MediaTypes.Ndjson}.");
        }

        var (body, bodyError) = await ReadBodyAsync(request);
        if (bodyError is not null)
        {
            return bodyError;
        }

        using (body)
        {
            var parsed = CreateTaskRequestParser.Parse(body!.RootElement, context.Options);
            if (parsed.Request is not { } spec)
            {
                return ApiResults.Problem(parsed.Status, parsed.Error!);
            }

            var submission = new Submission(
                spec,
                parsed.CommonNameList,
                parsed.SigningRequests,
                parsed.Pkcs12Password,
                TaskIds.New(),
                () => context.Idempotency.Fingerprint(request.Path, body.RootElement.GetRawText()));
            return await SubmitAsync(request, context, submission, certificateAuthority, supplierId, responseType);
        }
    }

    /// <summary>
    /// Creates a task from an application/x-ndjson upload of certification requests. The rows are
    /// stored under the new task's id as they are read, and deleted again unless the task is created.
    /// </summary>
    private static async Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> CreateUploadTaskAsync(
        HttpRequest request,
        CreateContext context,
        string certificateAuthority,
        string? supplierId,
        string responseType)
    {
        var tasks = context.Tasks;
        var taskId = TaskIds.New();
        using var fingerprint = context.Idempotency.StartFingerprint(request.Path);
        var stored = false;
        var submitted = false;
        try
        {
            ParseResult parsed;
            try
            {
                parsed = await SigningRequestUpload.ReadAsync(
                    request.BodyReader,
                    context.Options,
                    async rows =>
                    {
                        stored = true;
                        await tasks.AppendSigningRequestsAsync(taskId, rows);
                    },
                    fingerprint,
                    request.HttpContext.RequestAborted);
            }
            catch (BadHttpRequestException exception)
            {
                var message = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"The upload is larger than the limit of {MaxBodyBytes(request)} bytes " +
                        $"({BulkCertsOptions.SectionName}:MaxCsrUploadBytes). Split the certification requests " +
                        "across several tasks."
                    : $"The request body could not be read: {exception.Message}";
                return ApiResults.Problem(exception.StatusCode, message);
            }

            if (parsed.Request is not { } spec)
            {
                return ApiResults.Problem(parsed.Status, parsed.Error!);
            }

            var hash = Convert.ToHexStringLower(fingerprint.GetHashAndReset());
            submitted = true;
            return await SubmitAsync(
                request,
                context,
                new Submission(spec, null, null, null, taskId, () => hash),
                certificateAuthority,
                supplierId,
                responseType);
        }
        finally
        {
            // SubmitAsync deletes the rows itself when it creates no task.
            if (stored && !submitted)
            {
                await tasks.DeleteSigningRequestsAsync(taskId);
            }
        }
    }

    /// <summary>
    /// Creates the task of a parsed request: checks its CA, replays an earlier request with the same
    /// Idempotency-Key, reserves a running task, stores the certification requests, and writes the task.
    /// </summary>
    private static async Task<Results<JsonHttpResult<TaskCreatedResponse>, ProblemHttpResult>> SubmitAsync(
        HttpRequest request,
        CreateContext context,
        Submission submission,
        string certificateAuthority,
        string? supplierId,
        string responseType)
    {
        var (tasks, idempotency, catalog, runningTasks, protector, _, credential) = context;
        var (spec, commonNameList, signingRequests, pkcs12Password, taskId, fingerprintOf) = submission;
        var created = false;
        try
        {
            var authorities = await catalog.GetAsync(request.HttpContext.RequestAborted);
            if (CheckAuthority(spec, certificateAuthority, authorities) is { } authorityProblem)
            {
                return authorityProblem;
            }

            var idempotencyKey = request.Headers[IdempotencyKeys.HeaderName].ToString();

            // Each credential has its own idempotency keys, so one caller cannot learn another's task ids.
            var claimKey = $"{credential.Name}\n{idempotencyKey}";
            if (idempotencyKey.Length > 0)
            {
                var replay = await ReplayAsync(idempotencyKey, claimKey, fingerprintOf(), taskId, tasks, idempotency);
                if (replay is not null)
                {
                    return replay.Value.Problem is { } problem
                        ? problem
                        : Accepted(request, replay.Value.Task!, responseType);
                }
            }

            if (await runningTasks.TryReserveAsync(credential, taskId) is { } running)
            {
                if (idempotencyKey.Length > 0)
                {
                    await idempotency.ReleaseAsync(claimKey);
                }

                var setting = runningTasks.MaxFor(credential).Setting;
                return TooManyRunning(request.HttpContext, credential, running, setting);
            }

            TaskRecord task;
            var source = ChunkDispatcher.ActivitySource;
            using (var activity = source.StartActivity("bulkcerts.chunks publish", ActivityKind.Producer))
            {
                var traceContext = activity?.Context ?? Activity.Current?.Context ?? default;
                try
                {
                    // Stored before the task record, so that no dispatcher finds a task without its requests.
                    if (signingRequests is not null)
                    {
                        await tasks.AppendSigningRequestsAsync(taskId, signingRequests);
                    }

                    task = await tasks.CreateAsync(
                        spec,
                        commonNameList,
                        certificateAuthority,
                        supplierId,
                        traceContext,
                        taskId,
                        credential.Name,
                        pkcs12Password is { } password ? protector.ProtectPassword(password, taskId) : null);
                    created = true;
                }
                catch
                {
                    await runningTasks.ReleaseAsync(credential, taskId);
                    if (idempotencyKey.Length > 0)
                    {
                        await idempotency.ReleaseAsync(claimKey);
                    }

                    throw;
                }

                activity?.SetTag("bulkcerts.task_id", task.TaskId);
                activity?.SetTag("bulkcerts.chunks_total", task.ChunksTotal);
            }

            return Accepted(request, task, responseType);
        }
        finally
        {
            if (!created && spec.SignsRequests)
            {
                await tasks.DeleteSigningRequestsAsync(taskId);
            }
        }
    }

    private static JsonHttpResult<TaskCreatedResponse> Accepted(
        HttpRequest request,
        TaskRecord task,
        string responseType)
    {
        request.HttpContext.Response.Headers.Location = $"/certificates/{task.TaskId}";
        request.HttpContext.Response.Headers["x-taskid"] = task.TaskId;
        return TypedResults.Json(
            new TaskCreatedResponse(task.TaskId, task.Status),
            StoreJson.Options,
            responseType,
            StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// Returns the task an earlier request with the same Idempotency-Key created, a problem when the
    /// key is invalid or was used for another request, or null when this request is the first.
    /// </summary>
    private static async Task<(TaskRecord? Task, ProblemHttpResult? Problem)?> ReplayAsync(
        string key,
        string claimKey,
        string fingerprint,
        string newTaskId,
        TaskStore tasks,
        IdempotencyKeys idempotency)
    {
        if (!IdempotencyKeys.IsValid(key))
        {
            return (null, ApiResults.BadRequest(
                $"{IdempotencyKeys.HeaderName} '{MessageText.Shorten(key)}' is not valid; use 1 to " +
                $"{IdempotencyKeys.MaxLength} visible ASCII characters, such as a UUID."));
        }

        var earlier = await idempotency.ClaimAsync(claimKey, fingerprint, newTaskId);
        if (earlier is not { } claim)
        {
            return null;
        }

        if (claim.Fingerprint != fingerprint)
        {
            return (null, ApiResults.Problem(
                StatusCodes.Status422UnprocessableEntity,
                $"{IdempotencyKeys.HeaderName} '{MessageText.Shorten(key)}' was used for a different request " +
                $"(task {claim.TaskId}); use a new key for a new request."));
        }

        if (await tasks.GetAsync(claim.TaskId) is { } task)
        {
            return (task, null);
        }

        // The earlier task was deleted: claim the key again for this request.
        await idempotency.ReleaseAsync(claimKey);
        return await idempotency.ClaimAsync(claimKey, fingerprint, newTaskId) is null
            ? null
            : (null, ApiResults.Problem(StatusCodes.Status409Conflict,
                $"Another request with {IdempotencyKeys.HeaderName} '{MessageText.Shorten(key)}' is being " +
                "created; retry."));
    }

    /// <summary>
    /// Checks the request against its CA: the CA exists and outlives every certificate. Skipped
    /// when the CertEngine has never been reachable; the engine then rejects the chunk itself.
    /// </summary>
    private static ProblemHttpResult? CheckAuthority(
        CertificateRequestSpec spec,
        string alias,
        IReadOnlyDictionary<string, CertificateAuthorityInfo>? authorities)
    {
        if (authorities is null)
        {
            return null;
        }

        if (!authorities.TryGetValue(alias, out var authority))
        {
            return ApiResults.Problem(
                StatusCodes.Status503ServiceUnavailable,
                $"Certificate authority '{alias}' is not configured in the CertEngine, so no certificate can be " +
                "issued with it; ask the operator to configure it or to map the supplier to another CA.");
        }

        var notAfter = authority.NotAfter.ToDateTimeOffset();
        var now = DateTimeOffset.UtcNow;
        if (now.AddDays(spec.DaysExpiry) > notAfter)
        {
            var maxDays = (int)Math.Floor((notAfter - now).TotalDays);
            var validity = spec.DaysExpiryIsDefault
                ? $"The default validity of {spec.DaysExpiry} days ({BulkCertsOptions.SectionName}:DefaultDaysExpiry)"
                : $"certInfo.daysExpiry {spec.DaysExpiry}";
            return ApiResults.BadRequest(
                $"{validity} would end after the CA's notAfter of {notAfter:u}; " +
                (maxDays >= 1
                    ? $"set certInfo.daysExpiry to at most {maxDays} days."
                    : "the CA expires within a day, so renew it first."));
        }

        return null;
    }

    private static async Task<(JsonDocument? Body, ProblemHttpResult? Error)> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's own checks: a body over MaxRequestBodySize (413) or broken chunked framing (400).
            var message = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The request body is larger than the limit of {MaxBodyBytes(request)} bytes " +
                    $"({BulkCertsOptions.SectionName}:MaxRequestBodyBytes). " +
                    RequestLimitsMiddleware.SmallerBodyAdvice
                : $"The request body could not be read: {exception.Message}";
            return (null, ApiResults.Problem(exception.StatusCode, message));
        }

        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!Utf8.IsValid(body.Span))
        {
            // Checked for the whole body because the parser skips unknown properties, and reading their
            // text later, as the Idempotency-Key fingerprint does, would throw.
            var offset = FindInvalidUtf8(body.Span);
            return (null, ApiResults.BadRequest(
                $"The request body is not valid UTF-8: byte 0x{body.Span[offset]:X2} at offset {offset} does not " +
                "begin a valid sequence. Encode the body as UTF-8."));
        }

        if (body.Span.StartsWith(Utf8ByteOrderMark))
        {
            body = body[Utf8ByteOrderMark.Length..];
        }

        if (body.Span.Trim(JsonWhitespace).IsEmpty)
        {
            return (null, ApiResults.BadRequest($"The request body is empty; send a JSON object such as {Example}."));
        }

        try
        {
            return (JsonDocument.Parse(body, BodyOptions), null);
        }
        catch (JsonException exception)
        {
            // The reader's message names the problem and its position, for example the nesting limit.
            return (null, ApiResults.BadRequest($"The request body is not valid JSON: {exception.Message}"));
        }
        catch (InvalidOperationException)
        {
            // The duplicate property check unescapes every property name, which throws for an escaped
            // unpaired surrogate, because .NET strings cannot contain one.
            return (null, ApiResults.BadRequest(
                "A property name in the request body is not valid Unicode text; remove the escaped unpaired " +
                "surrogate (\\uD800 to \\uDFFF) from it."));
        }
    }

    /// <summary>Returns the offset of the first byte that does not begin a valid UTF-8 sequence.</summary>
    private static int FindInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length
            && Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }

    private static long? MaxBodyBytes(HttpRequest request) =>
        request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()
            ?.MaxRequestBodySize;

    private static ProblemHttpResult? CheckScope(HttpContext context, TaskRecord task)
    {
        var credential = context.GetCredential();
        return credential.MayUse(task.SupplierId) ? null : OutOfScope(credential, $"Task {task.TaskId}");
    }

    private static ProblemHttpResult OutOfScope(Credential credential, string subject) =>
        ApiResults.Problem(StatusCodes.Status403Forbidden, TaskMessages.OutOfScope(credential, subject));

    private static ProblemHttpResult TooManyRunning(
        HttpContext context,
        Credential credential,
        int running,
        string setting)
    {
        context.Response.Headers.RetryAfter = RunningTasksRetryAfterSeconds.ToString();
        return ApiResults.Problem(
            StatusCodes.Status429TooManyRequests,
            $"Credential '{credential.Name}' already has {running} task{(running == 1 ? string.Empty : "s")} " +
            $"pending or in progress, the most it may run at once ({setting}); retry when one ends " +
            $"(in about {RunningTasksRetryAfterSeconds} seconds) or delete one.");
    }

    private static async Task<TaskRecord?> FindTaskAsync(string taskId, TaskStore tasks) =>
        TaskIds.IsValid(taskId) ? await tasks.GetAsync(taskId.ToLowerInvariant()) : null;

    internal static ProblemHttpResult TaskNotFound(string taskId) => ApiResults.NotFound(
        TaskIds.IsValid(taskId) ? TaskMessages.NotFound(taskId) : TaskMessages.InvalidId(taskId));
}

/// <summary>
/// A parsed create request: the spec, its per-row data, the id the task will get, and the
/// fingerprint of the body for Idempotency-Key replays, computed only when a key is sent.
/// </summary>
internal sealed record Submission(
    CertificateRequestSpec Spec,
    IReadOnlyList<string>? CommonNameList,
    IReadOnlyList<SigningRequest>? SigningRequests,
    string? Pkcs12Password,
    string TaskId,
    Func<string> Fingerprint);

/// <summary>The services and settings that creating a task uses.</summary>
internal sealed record CreateContext(
    TaskStore Tasks,
    IdempotencyKeys Idempotency,
    CertificateAuthorityCatalog Catalog,
    RunningTaskLimit RunningTasks,
    ResultProtector Protector,
    BulkCertsOptions Options,
    Credential Credential);
