using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace BulkCerts.Tests.Unit;

public sealed class GrpcClientSpansTests : IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is GrpcClientSpans.SourceName or "other",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    };

    public GrpcClientSpansTests() => ActivitySource.AddActivityListener(_listener);

    [Fact]
    public void GrpcCallIsNamedAfterMethod()
    {
        using var source = new ActivitySource(GrpcClientSpans.SourceName);
        using var activity = Start(source, "/bulkcerts.certengine.v1.CertificateEngine/IssueCertificates");

        new GrpcClientSpans().OnStart(activity);

        Assert.Equal("bulkcerts.certengine.v1.CertificateEngine/IssueCertificates", activity.DisplayName);
        Assert.Equal("grpc", activity.GetTagItem("rpc.system"));
        Assert.Equal("bulkcerts.certengine.v1.CertificateEngine", activity.GetTagItem("rpc.service"));
        Assert.Equal("IssueCertificates", activity.GetTagItem("rpc.method"));
    }

    [Fact]
    public void OtherSourceKeepsItsName()
    {
        using var source = new ActivitySource("other");
        using var activity = Start(source, "/package.Service/Method");

        new GrpcClientSpans().OnStart(activity);

        Assert.Equal("Grpc.Net.Client.GrpcOut", activity.DisplayName);
        Assert.Null(activity.GetTagItem("rpc.system"));
    }

    public void Dispose() => _listener.Dispose();

    private static Activity Start(ActivitySource source, string fullMethod)
    {
        var activity = source.CreateActivity("Grpc.Net.Client.GrpcOut", ActivityKind.Client)!;
        activity.AddTag("grpc.method", fullMethod);
        return activity.Start();
    }
}
