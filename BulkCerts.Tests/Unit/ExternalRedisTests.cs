using BulkCerts.AppHost.Redis;

namespace BulkCerts.Tests.Unit;

public sealed class ExternalRedisTests
{
    private const string Setting = "ConnectionStrings:redis";

    [Fact]
    public void DescriptionLeavesOutPassword()
    {
        var description = ExternalRedis.Describe(Setting, "cache.internal:6380,password=hunter2-secret,ssl=true");

        Assert.StartsWith("cache.internal:6380", description);
        Assert.DoesNotContain("hunter2-secret", description);
    }

    [Fact]
    public void UnknownKeywordIsRejected()
    {
        var error = Assert.Throws<RedisSetupException>(() =>
            ExternalRedis.Describe(Setting, "cache.internal:6380,pasword=hunter2-secret"));

        Assert.Equal(
            "ConnectionStrings:redis is not a valid Redis connection string: Keyword 'pasword' is not supported. " +
            "Write it as host:port followed by options, such as redis.internal:6379,password=...,ssl=true.",
            error.Message);
    }

    [Fact]
    public void ConnectionStringWithoutServerIsRejected()
    {
        var error = Assert.Throws<RedisSetupException>(() =>
            ExternalRedis.Describe(Setting, "password=hunter2-secret"));

        Assert.StartsWith("ConnectionStrings:redis 'password=*****' names no server", error.Message);
        Assert.DoesNotContain("hunter2-secret", error.Message);
    }
}
