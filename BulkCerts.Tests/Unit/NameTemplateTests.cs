using BulkCerts.Api.Certificates;

namespace BulkCerts.Tests.Unit;

public sealed class NameTemplateTests
{
    [Theory]
    [InlineData("device-1", 0, "device-1")]
    [InlineData("device-1", 9, "device-1")]
    [InlineData("`dev::`AB1CD79EF${increment}", 0, "dev::AB1CD79EF")]
    [InlineData("`dev::`AB1CD79EF${increment(100)}", 99, "dev::AB1CD7A52")]
    [InlineData("00AF${increment}", 0, "00AF")]
    [InlineData("00AF${increment}", 1, "00B0")]
    [InlineData("00af${INCREMENT}", 2, "00B1")]
    [InlineData("FFFF${increment}", 1, "10000")]
    [InlineData("FFFFFFFFFFFFFFFFFFFF${increment}", 1, "100000000000000000000")]
    [InlineData("0123456789ABCDEF0123${increment}", 250, "0123456789ABCDEF021D")]
    [InlineData("`Site 7/`abc${static}", 5, "Site 7/ABC")]
    [InlineData("`p`${Static}", 0, "p")]
    [InlineData("`keep Case`", 0, "keep Case")]
    public void ProducesNameOfEachCertificate(string template, long index, string expected)
    {
        var parsed = NameTemplate.Parse(template, "certInfo.commonName", out var error);

        Assert.Null(error);
        Assert.NotNull(parsed);
        Assert.Equal(expected, parsed.NameAt(index));
    }

    [Fact]
    public void ListGeneratorUsesListEntryInUppercase()
    {
        var parsed = NameTemplate.Parse("`dev-`${list}", "certInfo.commonName", out _);

        Assert.Equal(NameGenerator.List, parsed?.Generator);
        Assert.Equal("dev-SN-00A1", parsed?.NameAt(3, "sn-00a1"));
    }

    [Theory]
    [InlineData("AB${increment(100)}", 100)]
    [InlineData("AB${increment(0)}", null)]
    [InlineData("AB${increment}", null)]
    [InlineData("x${static(5)}", 5)]
    [InlineData("plain", null)]
    public void CountSetsQuantity(string template, int? expected)
    {
        var parsed = NameTemplate.Parse(template, "certInfo.commonName", out _);

        Assert.Equal(expected, parsed?.Quantity);
    }

    [Theory]
    [InlineData("`dev${increment}", "opens a prefix with ` but does not close it")]
    [InlineData("AB${increment", "opens ${ but does not close it with }")]
    [InlineData("AB${increment}-x", "has text after its generator")]
    [InlineData("AB${counter}", "uses the unknown generator 'counter'; use increment, static or list")]
    [InlineData("XYZ${increment}", "its start value 'XYZ' is not a hexadecimal number")]
    [InlineData("${increment}", "its start value '' is not a hexadecimal number")]
    [InlineData("AB${list}", "has text 'AB' before ${list}")]
    [InlineData("AB${increment(x)}", "has a malformed generator")]
    [InlineData("AB${increment(99999999999)}", "sets a quantity of 99999999999, which is too large")]
    public void RejectsBadTemplate(string template, string expectedPart)
    {
        var parsed = NameTemplate.Parse(template, "certInfo.commonName", out var error);

        Assert.Null(parsed);
        Assert.StartsWith($"certInfo.commonName '{template}'", error);
        Assert.Contains(expectedPart, error);
    }
}
