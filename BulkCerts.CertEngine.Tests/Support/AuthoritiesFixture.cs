using BulkCerts.CertEngine.Authorities;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>
/// An RSA, an EC P-256 and an Ed25519 CA, created with openssl once per test class, with their
/// certificate files for openssl verify.
/// </summary>
public sealed class AuthoritiesFixture : IAsyncLifetime, IDisposable
{
    public static readonly string[] KeyTypes = ["RSA", "EC-P256", "Ed25519"];

    private readonly Dictionary<string, CertificateAuthority> _authorities = [];

    internal TempFolder Folder { get; } = new();

    internal CertificateAuthority this[string keyType] => _authorities[keyType];

    /// <summary>Path of the CA certificate PEM, to pass to openssl verify -CAfile.</summary>
    internal string CertificatePath(string keyType) => Folder.File($"ca-{keyType}.crt");

    public async Task InitializeAsync()
    {
        foreach (var keyType in KeyTypes)
        {
            _authorities[keyType] = await OpensslAuthority.CreateAsync(Folder, keyType);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var authority in _authorities.Values)
        {
            authority.Dispose();
        }

        Folder.Dispose();
    }
}
