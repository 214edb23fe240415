namespace BulkCerts.CertEngine.Authorities;

internal static class Oids
{
    public const string Rsa = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Ed25519 = "1.3.101.112";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    public const string DistinguishedNameQualifier = "2.5.4.46";
}
