using System.Net;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

[Collection(BulkCertsAppCollection.Name)]
public sealed class DeleteTaskTests(BulkCertsAppFixture fixture)
{
    [Fact]
    public async Task DeleteRemovesTaskAndKeys()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 3, "certInfo": {"commonName": "delete-me", "keyAlgorithm": "EC-P256"}}""");
        await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(5));

        using var delete = await fixture.Api.DeleteAsync($"/certificates/{taskId}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var status = await fixture.Api.GetAsync($"/certificates/{taskId}/task");
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        using var download = await fixture.Api.GetAsync($"/certificates/{taskId}");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Empty(await fixture.FindTaskKeysAsync(taskId));
    }

    [Fact]
    public async Task DeleteDuringIssuanceLeavesNoKeys()
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            """{"quantity": 120, "certInfo": {"commonName": "delete-in-flight"}}""");
        await TaskClient.WaitForStartAsync(fixture.Api, taskId, TimeSpan.FromMinutes(2));

        using var delete = await fixture.Api.DeleteAsync($"/certificates/{taskId}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        // The chunks in flight finish within this window, since 120 RSA keys take about 15 s on two
        // cores. None of them may store its result for the deleted task.
        for (var check = 0; check < 40; check++)
        {
            Assert.Empty(await fixture.FindTaskKeysAsync(taskId));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task DeleteUnknownTaskIsNotFound()
    {
        using var response = await fixture.Api.DeleteAsync($"/certificates/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
