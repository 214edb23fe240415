using BulkCerts.Api.Security;
using BulkCerts.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace BulkCerts.Api.Registry;

/// <summary>The gRPC form of the registry endpoints, for internal tools.</summary>
public sealed class CertificateRegistryService(RegistryRequests registry, TimeProvider clock)
    : CertificateRegistry.CertificateRegistryBase
{
    public override async Task<RegisteredCertificate> GetCertificate(
        GetCertificateRequest request,
        ServerCallContext context)
    {
        var credential = context.GetHttpContext().GetCredential();
        return ToMessage(await registry.GetAsync(request.Fingerprint, credential));
    }

    public override async Task<RegisteredCertificate> RevokeCertificate(
        RevokeCertificateRequest request,
        ServerCallContext context)
    {
        var credential = context.GetHttpContext().GetCredential();
        return ToMessage(await registry.RevokeAsync(request.Fingerprint, (int)request.Reason, credential));
    }

    private RegisteredCertificate ToMessage(RegistryResult result)
    {
        var code = result.Error switch
        {
            RegistryError.None => StatusCode.OK,
            RegistryError.InvalidArgument => StatusCode.InvalidArgument,
            RegistryError.NotFound => StatusCode.NotFound,
            RegistryError.OutOfScope => StatusCode.PermissionDenied,
            _ => StatusCode.AlreadyExists,
        };
        if (code != StatusCode.OK)
        {
            throw new RpcException(new Status(code, result.Message!));
        }

        var record = result.Record!;
        var message = new RegisteredCertificate
        {
            Fingerprint = record.Fingerprint,
            SerialNumber = record.SerialNumber,
            Subject = record.Subject,
            Issuer = record.Issuer,
            CertificateAuthority = record.CertificateAuthority,
            NotBefore = Timestamp.FromDateTimeOffset(record.NotBefore),
            NotAfter = Timestamp.FromDateTimeOffset(record.NotAfter),
            TaskId = record.TaskId,
            SupplierId = record.SupplierId ?? string.Empty,
            RegisteredAt = Timestamp.FromDateTimeOffset(record.RegisteredAt),
            Status = record.StatusAt(clock.GetUtcNow()) switch
            {
                CertificateRecord.Revoked => CertificateStatus.Revoked,
                CertificateRecord.Expired => CertificateStatus.Expired,
                _ => CertificateStatus.Valid,
            },
        };
        if (record.IsRevoked)
        {
            message.Revocation = new Revocation
            {
                Reason = (RevocationReason)record.ReasonCode!.Value,
                RevokedAt = Timestamp.FromDateTimeOffset(record.RevokedAt!.Value),
            };
        }

        return message;
    }
}
