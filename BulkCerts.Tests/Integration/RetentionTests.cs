using System.Net;
using BulkCerts.Tests.Support;
using StackExchange.Redis;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Every Redis key of a task expires with its retention. A task whose certificates or record
/// expired gets a 410 or a 404 with a message.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class RetentionTests(BulkCertsAppFixture fixture)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    [Fact]
    public async Task EveryTaskKeyExpires()
    {
        var taskId = await CreateCompleteTaskAsync("retained");
        await using var redis = await fixture.ConnectRedisAsync();
        var database = redis.GetDatabase();

        var keys = await fixture.FindTaskKeysAsync(taskId);

        Assert.Contains($"bulkcerts:task:{{{taskId}}}", keys);
        Assert.Contains($"bulkcerts:task:{{{taskId}}}:chunk:1", keys);
        Assert.Contains($"bulkcerts:task:{{{taskId}}}:attempts", keys);
        foreach (var key in keys)
        {
            var timeToLive = await database.KeyTimeToLiveAsync(key);
            Assert.True(timeToLive is not null, $"{key} never expires");
            Assert.InRange(timeToLive.Value, Retention - TimeSpan.FromMinutes(10), Retention);
        }
    }

    [Fact]
    public async Task ExpiredTaskIsGoneWithMessage()
    {
        var taskId = await CreateCompleteTaskAsync("expiring");
        await using var redis = await fixture.ConnectRedisAsync();
        var database = redis.GetDatabase();

        // The certificates expire first when a task completes late in its retention.
        await database.KeyExpireAsync($"bulkcerts:task:{{{taskId}}}:chunk:1", TimeSpan.FromMilliseconds(1));
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        using (var download = await fixture.Api.GetAsync($"/certificates/{taskId}"))
        {
            Assert.Equal(HttpStatusCode.Gone, download.StatusCode);
            Assert.Contains("expired", await TaskClient.ReadMessageAsync(download));
        }

        foreach (var key in await fixture.FindTaskKeysAsync(taskId))
        {
            await database.KeyExpireAsync(key, TimeSpan.FromMilliseconds(1));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(50));
        using var status = await fixture.Api.GetAsync($"/certificates/{taskId}/task");
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Contains("retention", await TaskClient.ReadMessageAsync(status));
    }

    private async Task<string> CreateCompleteTaskAsync(string commonName)
    {
        var taskId = await TaskClient.CreateAsync(
            fixture.Api,
            "/certificates",
            $$$"""{"quantity": 2, "certInfo": {"commonName": "{{{commonName}}}", "keyAlgorithm": "EC-P256"}}""");
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TimeSpan.FromMinutes(5));
        Assert.Equal("complete", status.GetProperty("status").GetString());
        return taskId;
    }
}
