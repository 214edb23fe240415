using System.Text.Json;

namespace BulkCerts.Api.Tasks;

internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
