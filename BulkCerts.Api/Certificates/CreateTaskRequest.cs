using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// The create-task body as the OpenAPI document describes it. The handler reads the body with
/// <see cref="CreateTaskRequestParser"/>, which names the invalid field in its message, so this type
/// only documents the fields.
/// </summary>
public sealed class CreateTaskRequest
{
    /// <summary>A valid body: ten EC certificates, with the common names device-0001 to device-000A.</summary>
    public const string Example = """
        {"quantity": 10, "certInfo": {"commonName": "`device-`0001${increment}", "keyAlgorithm": "EC-P256"}}
        """;

    [Description("Number of certificates, up to BulkCerts:MaxQuantity. A ${list} template, or " +
        "${increment(N)} or ${static(N)} with N > 0, sets the quantity instead. With csrs it may be left out; " +
        "when set, it must equal the number of csrs.")]
    public int? Quantity { get; init; }

    [Description("PEM certification requests (PKCS#10, CERTIFICATE REQUEST or NEW CERTIFICATE REQUEST), one " +
        "per certificate, in place of generated keys: each certificate takes its request's public key, subject " +
        "and subjectAltName, and the zip holds no private keys. certInfo's subject fields and a plain " +
        "commonName replace the requests' values; keyAlgorithm, privateKeyFormat, subjectAltNames, " +
        "commonNameList and a commonName with a generator are rejected. A request that cannot be signed is " +
        "listed in the zip's errors.json and counted in certificatesRejected; the task still completes.")]
    public IReadOnlyList<string>? Csrs { get; init; }

    [Description("Records each certificate in the registry (GET /registry/certificates/{fingerprint}), so that it " +
        "can be revoked and appears in its CA's revocation list. Records are kept until " +
        "BulkCerts:Registry:RetentionAfterExpiry after the certificate's notAfter, also after the task is deleted.")]
    public bool? Register { get; init; }

    public CertInfo? CertInfo { get; init; }
}

/// <summary>The subject, names, key and validity of every certificate of a task.</summary>
[Description("The subject, names, key and validity of every certificate of the task. Subject fields left out " +
    "take BulkCerts:Defaults.")]
public sealed class CertInfo
{
    [Description("A name template: `prefix`START${generator(N)}, with the generators increment, static and list; " +
        "every common name it produces has at most 64 characters. Example: `dev-`00AF${increment}.")]
    [MaxLength(CreateTaskRequestParser.MaxTemplateLength)]
    public string? CommonName { get; init; }

    [Description("One name per certificate for the ${list} generator; ignored by the other generators.")]
    public IReadOnlyList<string>? CommonNameList { get; init; }

    public string? Organization { get; init; }

    public string? OrganizationalUnit { get; init; }

    public string? Locality { get; init; }

    public string? StateName { get; init; }

    [Description("Two letters, ISO 3166-1 alpha-2; stored uppercase.")]
    public string? Country { get; init; }

    [Description("An ASCII email address.")]
    public string? EmailAddress { get; init; }

    [Description("PrintableString characters: letters, digits, spaces and ' ( ) + , - . / : = ?")]
    public string? DistinguishedNameQualifier { get; init; }

    public SubjectAltNames? SubjectAltNames { get; init; }

    [Description("Key algorithm of the device keys; RSA-2048 when left out.")]
    public string? KeyAlgorithm { get; init; }

    [Description("pkcs8 writes every private key as PKCS#8; without it RSA keys are PKCS#1.")]
    public string? PrivateKeyFormat { get; init; }

    [Description("Validity in days; never past the CA's own notAfter. BulkCerts:DefaultDaysExpiry when left out.")]
    [Range(1, CreateTaskRequestParser.MaxDaysExpiry)]
    public int? DaysExpiry { get; init; }

    [Description("Appends the CA chain to each certificate's PEM file (and adds it to each .p12 with pkcs12); " +
        "not with outputFormat der, whose files hold one certificate each.")]
    public bool? IncludeCA { get; init; }

    [Description("The files of each certificate in the zip, in any case: pem (the default) gives " +
        "{certId}_cert.pem and {certId}_key.pem; pkcs12 gives {certId}_cert.pem and {certId}.p12, protected by " +
        "pkcs12Password (AES-256-CBC, PBKDF2 with HMAC-SHA256, SHA-256 MAC); der gives {certId}_cert.der and " +
        "{certId}_key.der (PKCS#8, or PKCS#1 for RSA without privateKeyFormat pkcs8).")]
    public string? OutputFormat { get; init; }

    [Description("The password of every .p12 file; required with outputFormat pkcs12 and refused without it. " +
        "Stored only encrypted, apart from the task, and deleted when the task completes, fails or is deleted.")]
    [MinLength(1)]
    [MaxLength(CreateTaskRequestParser.MaxPkcs12PasswordLength)]
    public string? Pkcs12Password { get; init; }

    [Description("A PEM X.509 certificate with an RSA key of at least 2048 bits, valid now, whose keyUsage (if " +
        "any) includes keyEncipherment. The download, whole or per chunk, is then the zip encrypted to it as CMS " +
        "EnvelopedData (AES-256-CBC): a .p7m of type application/pkcs7-mime; smime-type=enveloped-data.")]
    [MaxLength(RecipientCertificates.MaxPemLength)]
    public string? RecipientCertificate { get; init; }
}

/// <summary>One line of an application/x-ndjson upload of certification requests.</summary>
[Description("One line of an application/x-ndjson upload: a certification request with optional subject " +
    "fields that replace the request's and certInfo's values. An optional first line without csr holds the " +
    "task settings, register and certInfo, as in the JSON body. Blank lines are ignored.")]
public sealed class SigningRequestRow
{
    /// <summary>An example upload: a settings line and two rows, the second with overrides.</summary>
    public const string Example = """
        {"certInfo": {"organization": "Acme", "daysExpiry": 90}}
        {"csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n"}
        {"csr": "-----BEGIN CERTIFICATE REQUEST-----\nMIIC...", "commonName": "sensor-2", "country": "SE"}
        """;

    [Description("The PEM certification request, with its line breaks written as \\n.")]
    [Required]
    public string? Csr { get; init; }

    [Description("A plain name that replaces the request's common name.")]
    public string? CommonName { get; init; }

    public string? Organization { get; init; }

    public string? OrganizationalUnit { get; init; }

    public string? Locality { get; init; }

    public string? StateName { get; init; }

    [Description("Two letters, ISO 3166-1 alpha-2.")]
    public string? Country { get; init; }

    [Description("An ASCII email address.")]
    public string? EmailAddress { get; init; }

    [Description("PrintableString characters.")]
    public string? DistinguishedNameQualifier { get; init; }
}

/// <summary>Subject alternative names, each entry a name template like certInfo.commonName.</summary>
[Description("Subject alternative names, each entry a name template like commonName; at most 20 in all.")]
public sealed class SubjectAltNames
{
    public IReadOnlyList<string>? Dns { get; init; }

    public IReadOnlyList<string>? Uri { get; init; }

    public IReadOnlyList<string>? IpAddress { get; init; }
}
