using BulkCerts.Api.Registry;

namespace BulkCerts.Tests.Unit;

public sealed class RegistryValuesTests
{
    private const string Fingerprint = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    [Theory]
    [InlineData(Fingerprint)]
    [InlineData("0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0")]
    [InlineData("0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0")]
    public void FingerprintFormsAreNormalized(string text)
    {
        Assert.Equal(Fingerprint, Fingerprints.Normalize(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0f1e")]
    [InlineData(Fingerprint + "00")]
    [InlineData("0F:1E2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:")]
    [InlineData("0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1fg")]
    public void MalformedFingerprintsAreRejected(string text)
    {
        Assert.Null(Fingerprints.Normalize(text));
    }

    [Theory]
    [InlineData("keyCompromise", 1)]
    [InlineData("KEYCOMPROMISE", 1)]
    [InlineData("aACompromise", 10)]
    [InlineData("privilegeWithdrawn", 9)]
    [InlineData("removeFromCRL", null)]
    [InlineData("compromised", null)]
    public void ReasonNamesMapToCodes(string name, int? code)
    {
        Assert.Equal(code, RevocationReasons.FromName(name));
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, false)]
    [InlineData(11, false)]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(6, true)]
    public void ReasonCodesOfFullListsOnly(int code, bool valid)
    {
        Assert.Equal(valid, RevocationReasons.IsValid(code));
    }

    [Fact]
    public void OptionsValidatorAcceptsDefaults()
    {
        var result = new RegistryOptionsValidator().Validate(null, new RegistryOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("00:30:00", "7.00:00:00", "BulkCerts:Registry:CrlValidity is 00:30:00")]
    [InlineData("400.00:00:00", "7.00:00:00", "BulkCerts:Registry:CrlValidity is 400.00:00:00")]
    [InlineData("7.00:00:00", "-1.00:00:00", "BulkCerts:Registry:RetentionAfterExpiry is -1.00:00:00")]
    [InlineData("7.00:00:00", "4000.00:00:00", "BulkCerts:Registry:RetentionAfterExpiry is 4000.00:00:00")]
    public void OptionsValidatorNamesBadSetting(string validity, string retention, string expected)
    {
        var options = new RegistryOptions
        {
            CrlValidity = TimeSpan.Parse(validity, System.Globalization.CultureInfo.InvariantCulture),
            RetentionAfterExpiry = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new RegistryOptionsValidator().Validate(null, options);

        Assert.Contains(expected, result.FailureMessage);
    }
}
