using System.Globalization;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Grpc;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Checks a whole issuance request before the first key is generated, so that a bad request fails
/// with InvalidArgument and a message that names the field and the value.
/// </summary>
public static class IssuanceRequestValidator
{
    /// <exception cref="Grpc.Core.RpcException">InvalidArgument, with the reason.</exception>
    public static IssuanceRequest Validate(
        IssueCertificatesRequest request,
        CertificateAuthority authority,
        CertEngineOptions options,
        DateTimeOffset now)
    {
        var maxCount = options.MaxCertificatesPerRequest;
        if (request.Count < 1 || request.Count > maxCount)
        {
            throw RpcErrors.InvalidArgument($"count {request.Count} is out of range; use 1 to {maxCount}.");
        }

        if (request.FirstIndex < 0)
        {
            throw RpcErrors.InvalidArgument($"first_index {request.FirstIndex} is negative; use 0 or more.");
        }

        if (!Enum.IsDefined(request.KeyAlgorithm))
        {
            throw RpcErrors.InvalidArgument($"key_algorithm {(int)request.KeyAlgorithm} is not supported.");
        }

        if (!Enum.IsDefined(request.PrivateKeyFormat))
        {
            throw RpcErrors.InvalidArgument(
                $"private_key_format {(int)request.PrivateKeyFormat} is not supported; use UNSPECIFIED or PKCS8.");
        }

        if (request.SigningRequests.Count > 0)
        {
            return ValidateSigning(request, authority, options, now);
        }

        if (!Enum.IsDefined(request.OutputFormat))
        {
            throw RpcErrors.InvalidArgument(
                $"output_format {(int)request.OutputFormat} is not supported; use PEM_UNSPECIFIED or PKCS12.");
        }

        if (request.OutputFormat == OutputFormat.Pkcs12 && request.Pkcs12Password.Length == 0)
        {
            throw RpcErrors.InvalidArgument("output_format is PKCS12 but pkcs12_password is empty; send a password.");
        }

        var subject = request.Subject ?? new Subject();
        if (CommonNames.Validate(subject.CommonName, request.FirstIndex, request.Count) is { } problem)
        {
            throw RpcErrors.InvalidArgument(problem);
        }

        if (DeviceCertificateFactory.CheckSubject(subject, request.FirstIndex, request.Count) is { } subjectProblem)
        {
            throw RpcErrors.InvalidArgument(subjectProblem);
        }

        if (SubjectAltNames.Validate(request.SubjectAltNames, request.FirstIndex, request.Count) is { } nameProblem)
        {
            throw RpcErrors.InvalidArgument(nameProblem);
        }

        var notAfter = ValidateNotAfter(request.DaysExpiry, authority, options, now);

        return new IssuanceRequest(
            authority,
            request.Count,
            request.FirstIndex,
            subject,
            request.SubjectAltNames,
            request.KeyAlgorithm,
            request.PrivateKeyFormat,
            now - DeviceCertificateFactory.ClockSkewAllowance,
            notAfter,
            request.IncludeCa)
        {
            OutputFormat = request.OutputFormat,
            Pkcs12Password = request.Pkcs12Password,
        };
    }

    /// <summary>
    /// Checks a request that signs certification requests. The requests themselves are checked one by
    /// one as they are signed, so that a bad one fails only its own row.
    /// </summary>
    private static IssuanceRequest ValidateSigning(
        IssueCertificatesRequest request,
        CertificateAuthority authority,
        CertEngineOptions options,
        DateTimeOffset now)
    {
        if (request.Count != request.SigningRequests.Count)
        {
            throw RpcErrors.InvalidArgument(
                $"count {request.Count} differs from the {request.SigningRequests.Count} signing_requests; set " +
                "count to their number.");
        }

        if (request.SubjectAltNames.Count > 0)
        {
            throw RpcErrors.InvalidArgument(
                "subject_alt_names is set, but a request with signing_requests takes the subjectAltName of each " +
                "certification request; clear it.");
        }

        if (SigningRequestCertificateFactory.CheckRequestOverride(request.Subject) is { } problem)
        {
            throw RpcErrors.InvalidArgument(problem);
        }

        var notAfter = ValidateNotAfter(request.DaysExpiry, authority, options, now);
        return new IssuanceRequest(
            authority,
            request.Count,
            request.FirstIndex,
            request.Subject ?? new Subject(),
            request.SubjectAltNames,
            request.KeyAlgorithm,
            request.PrivateKeyFormat,
            now - DeviceCertificateFactory.ClockSkewAllowance,
            notAfter,
            request.IncludeCa)
        {
            SigningRequests = request.SigningRequests,
        };
    }

    /// <summary>Returns notAfter, rejecting a validity that would end after the CA's own notAfter.</summary>
    private static DateTimeOffset ValidateNotAfter(
        int requestedDays,
        CertificateAuthority authority,
        CertEngineOptions options,
        DateTimeOffset now)
    {
        if (requestedDays < 0)
        {
            throw RpcErrors.InvalidArgument($"days_expiry {requestedDays} is negative; use 0 for the default.");
        }

        var days = requestedDays > 0 ? requestedDays : options.DefaultDaysExpiry;
        var notAfter = now.AddDays(days);
        var authorityNotAfter = new DateTimeOffset(authority.Certificate.NotAfter.ToUniversalTime());
        if (notAfter <= authorityNotAfter)
        {
            return notAfter;
        }

        var description = requestedDays > 0
            ? $"days_expiry {days}"
            : $"days_expiry 0 (the default of {days} days)";
        var maxDays = (int)Math.Floor((authorityNotAfter - now).TotalDays);
        var advice = maxDays >= 1
            ? $"use at most {maxDays} days."
            : "the CA expires within a day; renew it or use another certificate authority.";
        throw RpcErrors.InvalidArgument(
            $"{description} would end after the CA's notAfter " +
            $"{authorityNotAfter.ToString("u", CultureInfo.InvariantCulture)} " +
            $"(certificate authority '{authority.Alias}'); {advice}");
    }
}
