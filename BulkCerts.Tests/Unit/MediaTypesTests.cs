using BulkCerts.Api.Http;

namespace BulkCerts.Tests.Unit;

public sealed class MediaTypesTests
{
    [Theory]
    [InlineData(null, "application/json")]
    [InlineData("", "application/json")]
    [InlineData("*/*", "application/json")]
    [InlineData("application/*", "application/json")]
    [InlineData("application/json", "application/json")]
    [InlineData("application/json; charset=utf-8", "application/json")]
    [InlineData("application/vnd.aws-cdf-v1.0+json", "application/vnd.aws-cdf-v1.0+json")]
    [InlineData("application/vnd.aws-cdf-v1.0+json; charset=utf-8", "application/vnd.aws-cdf-v1.0+json")]
    [InlineData("text/html, application/vnd.aws-cdf-v1.0+json;q=0.9", "application/vnd.aws-cdf-v1.0+json")]
    [InlineData("application/json;q=0.5, application/vnd.aws-cdf-v1.0+json", "application/vnd.aws-cdf-v1.0+json")]
    [InlineData("text/html, */*;q=0.1", "application/json")]
    public void SelectsJsonResponseType(string? accept, string expected)
    {
        Assert.Equal(expected, MediaTypes.SelectJsonResponseType(accept));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("application/json;q=0")]
    [InlineData("not a media type")]
    public void RejectsAcceptWithoutJson(string accept)
    {
        Assert.Null(MediaTypes.SelectJsonResponseType(accept));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("*/*", true)]
    [InlineData("application/zip", true)]
    [InlineData("application/vnd.aws-cdf-v1.0+json", true)]
    [InlineData("application/octet-stream", false)]
    [InlineData("text/html", false)]
    public void DecidesWhetherDownloadIsAcceptable(string? accept, bool expected)
    {
        Assert.Equal(expected, MediaTypes.AcceptsZip(accept));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("application/vnd.aws-cdf-v1.0+json", true)]
    [InlineData("APPLICATION/VND.AWS-CDF-V1.0+JSON", true)]
    [InlineData("application/json; charset=UTF-8", true)]
    [InlineData("application/vnd.aws-cdf-v1.0+json; charset=\"UTF-8\"", true)]
    [InlineData("application/json; charset=iso-8859-1", false)]
    [InlineData("text/plain", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    public void DecidesWhetherBodyIsJson(string? contentType, bool expected)
    {
        Assert.Equal(expected, MediaTypes.IsJsonContent(contentType));
    }
}
