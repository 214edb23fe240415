namespace BulkCerts.Tests.Integration;

/// <summary>
/// The app with two Api replicas and two CertEngine replicas of one core each, small chunks and a
/// short claim timeout, for tests that kill one process of each kind while a task runs.
/// </summary>
public sealed class ReplicatedAppFixture : BulkCertsAppFixture
{
    protected override IEnumerable<string> Settings =>
    [
        "Api:Replicas=2",
        "CertEngine:Replicas=2",
        "CertEngine:CoresPerReplica=1",
        "BulkCerts:ChunkSize=20",
        "BulkCerts:ChunkClaimTimeout=00:00:05",
    ];
}

[CollectionDefinition(Name)]
public sealed class ReplicatedAppCollection : ICollectionFixture<ReplicatedAppFixture>
{
    public const string Name = "BulkCerts app with replicas";
}
