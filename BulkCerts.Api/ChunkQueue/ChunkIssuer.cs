using BulkCerts.Api.Certificates;
using BulkCerts.Api.Storage;
using BulkCerts.Api.Tasks;
using BulkCerts.CertEngine.V1;
using Grpc.Core;

namespace BulkCerts.Api.ChunkQueue;

/// <summary>
/// Issues one chunk through a CertEngine instance and collects the whole stream. A stream that
/// breaks is discarded by the caller, so a chunk is stored complete or not at all.
/// </summary>
public sealed class ChunkIssuer(CertEngines engines, TaskStore tasks, ResultProtector protector)
{
    /// <summary>
    /// How long the CertEngine may take to start a call. It sends headers before any work, so a
    /// longer wait means it is unreachable, for example behind a proxy whose target has died.
    /// </summary>
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(10);

    public async Task<IssueCertificatesResponse> IssueAsync(
        TaskRecord task,
        int chunkId,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var plan = task.Plan;
        var count = plan.CountOf(chunkId);
        var firstIndex = plan.FirstIndexOf(chunkId);
        IssueCertificatesRequest request;
        if (task.Request.SignsRequests)
        {
            var rows = await tasks.GetSigningRequestsAsync(task.TaskId, firstIndex, count);
            request = CreateSigningRequest(task.Request, task.CertificateAuthority, firstIndex, rows);
        }
        else
        {
            var listSlice = UsesList(task.Request)
                ? await tasks.GetCommonNamesAsync(task.TaskId, firstIndex, count)
                : null;
            request = CreateRequest(task.Request, task.CertificateAuthority, count, firstIndex, listSlice);
        }

        if (task.Request.OutputFormat == FileFormat.Pkcs12)
        {
            request.OutputFormat = OutputFormat.Pkcs12;
            request.Pkcs12Password = await ReadPasswordAsync(task.TaskId);
        }

        using var lease = engines.Acquire();
        System.Diagnostics.Activity.Current?.SetTag("bulkcerts.certengine", lease.Instance.Name);
        try
        {
            var result = await IssueAsync(lease.Instance.Client, request, timeout, cancellationToken);
            EnsureComplete(result, request);
            return result;
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.Internal)
        {
            lease.ReportUnreachable();
            throw;
        }
    }

    /// <summary>
    /// Decrypts the task's PKCS#12 password for one request. It is deleted when the task ends, so a
    /// missing one means the task is over and the chunk cannot be issued.
    /// </summary>
    private async Task<string> ReadPasswordAsync(string taskId)
    {
        if (await tasks.GetPkcs12PasswordAsync(taskId) is not { } stored)
        {
            throw new RpcException(new Status(
                StatusCode.FailedPrecondition,
                $"The PKCS#12 password of task {taskId} is no longer stored, so its .p12 files cannot be built; " +
                "create the task again."));
        }

        return protector.UnprotectPassword(stored, taskId);
    }

    private static async Task<IssueCertificatesResponse> IssueAsync(
        CertificateEngine.CertificateEngineClient client,
        IssueCertificatesRequest request,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var call = client.IssueCertificates(
            request,
            deadline: DateTime.UtcNow + timeout,
            cancellationToken: cancellationToken);

        try
        {
            await call.ResponseHeadersAsync.WaitAsync(HeadersTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(
                StatusCode.Unavailable,
                $"The CertEngine did not start the call within {HeadersTimeout.TotalSeconds} seconds."));
        }

        var result = new IssueCertificatesResponse();
        await foreach (var batch in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            result.Certificates.AddRange(batch.Certificates);
        }

        return result;
    }

    internal static IssueCertificatesRequest CreateRequest(
        CertificateRequestSpec spec,
        string certificateAuthority,
        int count,
        long firstIndex,
        IReadOnlyList<string>? listSlice)
    {
        var commonName = ToNameRule(spec.CommonName, listSlice);
        commonName.Base64Encode = spec.Base64CommonName;

        var request = new IssueCertificatesRequest
        {
            CertificateAuthority = certificateAuthority,
            Count = count,
            FirstIndex = firstIndex,
            KeyAlgorithm = KeyAlgorithms.ToProto(spec.KeyAlgorithm),
            PrivateKeyFormat = spec.Pkcs8PrivateKeys ? PrivateKeyFormat.Pkcs8 : PrivateKeyFormat.Unspecified,
            DaysExpiry = spec.DaysExpiry,
            IncludeCa = spec.IncludeCertificateAuthority,
            Subject = ToSubject(spec, commonName),
        };

        foreach (var altName in spec.SubjectAltNames)
        {
            request.SubjectAltNames.Add(new SubjectAltNameRule
            {
                Type = altName.Kind switch
                {
                    SubjectAltNameKind.Dns => SubjectAltNameType.Dns,
                    SubjectAltNameKind.Uri => SubjectAltNameType.Uri,
                    _ => SubjectAltNameType.IpAddress,
                },
                Value = ToNameRule(altName.Value, listSlice),
            });
        }

        return request;
    }

    /// <summary>
    /// Builds the request that signs a chunk's certification requests. The task's subject fields go
    /// in as overrides of every request, each row's own overrides on top of them.
    /// </summary>
    internal static IssueCertificatesRequest CreateSigningRequest(
        CertificateRequestSpec spec,
        string certificateAuthority,
        long firstIndex,
        IReadOnlyList<SigningRequest> rows)
    {
        var commonName = spec.CommonName.Prefix + spec.CommonName.Start;
        var request = new IssueCertificatesRequest
        {
            CertificateAuthority = certificateAuthority,
            Count = rows.Count,
            FirstIndex = firstIndex,
            DaysExpiry = spec.DaysExpiry,
            IncludeCa = spec.IncludeCertificateAuthority,
            Subject = ToSubject(spec, commonName.Length > 0 ? new NameRule { StaticValue = commonName } : null),
        };
        request.SigningRequests.AddRange(rows);
        return request;
    }

    /// <summary>Builds the engine's subject: the spec's fields, empty where unset, and the given common name.</summary>
    private static Subject ToSubject(CertificateRequestSpec spec, NameRule? commonName) => new()
    {
        CommonName = commonName,
        Organization = spec.Organization ?? string.Empty,
        OrganizationalUnit = spec.OrganizationalUnit ?? string.Empty,
        Locality = spec.Locality ?? string.Empty,
        StateName = spec.StateName ?? string.Empty,
        Country = spec.Country ?? string.Empty,
        EmailAddress = spec.EmailAddress ?? string.Empty,
        DistinguishedNameQualifier = spec.DistinguishedNameQualifier ?? string.Empty,
    };

    /// <summary>
    /// Turns a template into the engine's rule. Uppercasing of static and list values happens
    /// here; the engine writes values as it receives them and uppercases only its own hex digits.
    /// </summary>
    private static NameRule ToNameRule(NameTemplate template, IReadOnlyList<string>? listSlice)
    {
        var rule = new NameRule { Prefix = template.Prefix };
        switch (template.Generator)
        {
            case NameGenerator.Plain:
                rule.StaticValue = template.Start;
                break;
            case NameGenerator.Static:
                rule.StaticValue = template.Start.ToUpperInvariant();
                break;
            case NameGenerator.Increment:
                rule.IncrementStart = template.Start.ToUpperInvariant();
                break;
            default:
                rule.List = new ListValues();
                rule.List.Values.AddRange((listSlice ?? []).Select(value => value.ToUpperInvariant()));
                break;
        }

        return rule;
    }

    private static bool UsesList(CertificateRequestSpec spec) =>
        spec.CommonName.Generator == NameGenerator.List
        || spec.SubjectAltNames.Any(altName => altName.Value.Generator == NameGenerator.List);

    /// <summary>
    /// Checks that the stream contained each requested index exactly once and sorts by index, so the
    /// stored chunk is in task order.
    /// </summary>
    private static void EnsureComplete(IssueCertificatesResponse result, IssueCertificatesRequest request)
    {
        var sorted = result.Certificates.OrderBy(certificate => certificate.Index).ToList();
        var expected = Enumerable.Range(0, request.Count).Select(offset => request.FirstIndex + offset);
        if (!sorted.Select(certificate => certificate.Index).SequenceEqual(expected))
        {
            throw new IncompleteChunkException(
                $"The CertEngine returned {sorted.Count} certificates for {request.Count} requested indexes " +
                $"from {request.FirstIndex}.");
        }

        result.Certificates.Clear();
        result.Certificates.AddRange(sorted);
    }
}

/// <summary>The CertEngine's stream ended without every requested certificate.</summary>
public sealed class IncompleteChunkException(string message) : Exception(message);
