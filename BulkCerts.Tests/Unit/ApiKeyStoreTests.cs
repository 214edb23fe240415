using BulkCerts.Api.Security;
using Microsoft.Extensions.Options;

namespace BulkCerts.Tests.Unit;

public sealed class ApiKeyStoreTests
{
    [Fact]
    public void FindsKeyByItsHash()
    {
        var store = Create(("factory", "key-one"), ("lab", "key-two"));

        Assert.Equal("lab", store.Find("key-two")?.Name);
        Assert.Equal("factory", store.Find("key-one")?.Name);
    }

    [Theory]
    [InlineData("key-on")]
    [InlineData("key-one ")]
    [InlineData("KEY-ONE")]
    [InlineData("")]
    public void NearMissFindsNothing(string presented)
    {
        Assert.Null(Create(("factory", "key-one")).Find(presented));
    }

    [Fact]
    public void HashMatchesSha256sum()
    {
        // printf %s key-one | sha256sum
        Assert.Equal("9b346041bc9a49574eb2665b2ad2a0a3f9f9cce4e42f5d1f26deb8a256b5966a", ApiKeyStore.HashKey("key-one"));
    }

    private static ApiKeyStore Create(params (string Name, string Key)[] keys) => new(Options.Create(new AuthOptions
    {
        ApiKeys = keys.ToDictionary(key => key.Name, key => new ApiKeyOptions { Hash = ApiKeyStore.HashKey(key.Key) }),
    }));
}
