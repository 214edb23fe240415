using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Names the spans of gRPC calls after the method they call, as the OpenTelemetry conventions for RPC
/// do, in place of Grpc.Net.Client's one name for every call, and adds the <c>rpc.*</c> attributes.
/// </summary>
public sealed class GrpcClientSpans : BaseProcessor<Activity>
{
    /// <summary>The activity source of Grpc.Net.Client, whose activity Grpc.Net.Client.GrpcOut wraps a call.</summary>
    public const string SourceName = "Grpc.Net.Client";

    public override void OnStart(Activity activity)
    {
        // Grpc.Net.Client tags the activity with the full method, "/package.Service/Method", before starting it.
        if (activity.Source.Name != SourceName || activity.GetTagItem("grpc.method") is not string fullMethod)
        {
            return;
        }

        var method = fullMethod.TrimStart('/');
        var separator = method.LastIndexOf('/');
        activity.DisplayName = method;
        activity.SetTag("rpc.system", "grpc");
        if (separator > 0)
        {
            activity.SetTag("rpc.service", method[..separator]);
            activity.SetTag("rpc.method", method[(separator + 1)..]);
        }
    }
}
