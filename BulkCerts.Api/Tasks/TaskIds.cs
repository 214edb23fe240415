namespace BulkCerts.Api.Tasks;

/// <summary>Task ids are random UUIDs in their 36-character lowercase form.</summary>
public static class TaskIds
{
    public const string Format = "a UUID such as 3f2b6c1e-8a4d-4c2b-9e7f-0a1b2c3d4e5f";

    public static string New() => Guid.NewGuid().ToString("D");

    public static bool IsValid(string? id) => id is { Length: 36 } && Guid.TryParseExact(id, "D", out _);
}
