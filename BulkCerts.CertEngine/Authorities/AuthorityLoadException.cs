namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// A certificate authority that cannot be used. The message names the setting to fix and never
/// contains key material or the passphrase, so it is safe to log.
/// </summary>
public sealed class AuthorityLoadException(string message) : Exception(message);
