using Grpc.Core;

namespace BulkCerts.CertEngine.Grpc;

internal static class RpcErrors
{
    public static RpcException InvalidArgument(string message) =>
        new(new Status(StatusCode.InvalidArgument, message));
}
