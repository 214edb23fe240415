using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Grpc;
using BulkCerts.CertEngine.V1;
using Grpc.Core;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Signs an X.509 v2 certificate revocation list (RFC 5280 section 5) with a CA's key, after checking
/// every field of the request. The list carries the CA's authority key identifier and the request's
/// cRLNumber. An entry has no reason code extension when its reason is unspecified, as RFC 5280 recommends.
/// The list is encoded here because .NET's CertificateRevocationListBuilder rejects aACompromise.
/// It is signed with the CA's own SignatureGenerator, so RSA, EC and Ed25519 CAs work alike.
/// </summary>
public static class RevocationListFactory
{
    /// <summary>The longest validity of one list.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(366);

    /// <summary>How far thisUpdate may lie ahead of the engine's clock, for callers whose clocks run ahead.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    private const string CrlNumberOid = "2.5.29.20";
    private const string ReasonCodeOid = "2.5.29.21";

    /// <summary>RFC 5280 limits serial numbers to 20 octets.</summary>
    private const int MaxSerialBytes = 20;

    /// <summary>
    /// The CRLReason codes a full list may carry. 7 is unassigned, and removeFromCRL (8) belongs in delta
    /// lists only.
    /// </summary>
    private static readonly int[] ValidReasons = [0, 1, 2, 3, 4, 5, 6, 9, 10];

    public static byte[] Sign(SignRevocationListRequest request, CertificateAuthority authority, DateTimeOffset now)
    {
        EnsureMaySignLists(authority);
        if (request.CrlNumber < 1)
        {
            throw RpcErrors.InvalidArgument(
                $"crl_number is {request.CrlNumber}; set a positive number, higher than that of the last list.");
        }

        var (thisUpdate, nextUpdate) = ReadValidity(request, now);
        var entries = ReadEntries(request, thisUpdate);
        var algorithm = authority.SignatureGenerator.GetSignatureAlgorithmIdentifier(authority.HashAlgorithm);

        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1);
            tbs.WriteEncodedValue(algorithm);
            tbs.WriteEncodedValue(authority.Certificate.SubjectName.RawData);
            WriteTime(tbs, thisUpdate);
            WriteTime(tbs, nextUpdate);
            if (entries.Count > 0)
            {
                using (tbs.PushSequence())
                {
                    foreach (var (serial, revokedAt, reason) in entries)
                    {
                        WriteEntry(tbs, serial, revokedAt, reason);
                    }
                }
            }

            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (tbs.PushSequence())
            {
                var number = new AsnWriter(AsnEncodingRules.DER);
                number.WriteInteger(request.CrlNumber);
                var keyIdentifier = authority.AuthorityKeyIdentifier;
                WriteExtension(tbs, keyIdentifier.Oid!.Value!, keyIdentifier.RawData);
                WriteExtension(tbs, CrlNumberOid, number.Encode());
            }
        }

        var toBeSigned = tbs.Encode();
        var signature = authority.SignatureGenerator.SignData(toBeSigned, authority.HashAlgorithm);
        var list = new AsnWriter(AsnEncodingRules.DER);
        using (list.PushSequence())
        {
            list.WriteEncodedValue(toBeSigned);
            list.WriteEncodedValue(algorithm);
            list.WriteBitString(signature);
        }

        return list.Encode();
    }

    /// <summary>Checks every entry and returns them in request order.</summary>
    private static List<(byte[] Serial, DateTimeOffset RevokedAt, int Reason)> ReadEntries(
        SignRevocationListRequest request,
        DateTimeOffset thisUpdate)
    {
        var entries = new List<(byte[], DateTimeOffset, int)>(request.Revoked.Count);
        var serials = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < request.Revoked.Count; index++)
        {
            var entry = request.Revoked[index];
            var serial = ReadSerial(entry.SerialNumber, index);
            if (!serials.Add(entry.SerialNumber))
            {
                throw RpcErrors.InvalidArgument(
                    $"revoked[{index}].serial_number {entry.SerialNumber} is listed twice; list each serial once.");
            }

            if (!ValidReasons.Contains(entry.Reason))
            {
                throw RpcErrors.InvalidArgument(
                    $"revoked[{index}].reason {entry.Reason} is not a CRLReason of a full list; use 0 to 6, 9 or " +
                    "10 (removeFromCRL, 8, belongs in delta lists only).");
            }

            if (entry.RevocationDate is null)
            {
                throw RpcErrors.InvalidArgument(
                    $"revoked[{index}].revocation_date is missing; set the time the certificate was revoked.");
            }

            var revokedAt = entry.RevocationDate.ToDateTimeOffset();
            if (revokedAt > thisUpdate)
            {
                throw RpcErrors.InvalidArgument(
                    $"revoked[{index}].revocation_date {revokedAt:u} is after this_update {thisUpdate:u}; a list " +
                    "holds only revocations made before it.");
            }

            entries.Add((serial, revokedAt, entry.Reason));
        }

        return entries;
    }

    /// <summary>
    /// Writes one revokedCertificates entry. The reason code extension is left out for unspecified,
    /// as RFC 5280 5.3.1 recommends.
    /// </summary>
    private static void WriteEntry(AsnWriter writer, byte[] serial, DateTimeOffset revokedAt, int reason)
    {
        using (writer.PushSequence())
        {
            writer.WriteInteger(serial);
            WriteTime(writer, revokedAt);
            if (reason != 0)
            {
                using (writer.PushSequence())
                {
                    // ENUMERATED, one content byte: every code is below 128.
                    WriteExtension(writer, ReasonCodeOid, [0x0A, 0x01, (byte)reason]);
                }
            }
        }
    }

    private static void WriteExtension(AsnWriter writer, string oid, byte[] value)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            writer.WriteOctetString(value);
        }
    }

    /// <summary>RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, in whole seconds.</summary>
    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var seconds = DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
        if (seconds.Year < 2050)
        {
            writer.WriteUtcTime(seconds);
        }
        else
        {
            writer.WriteGeneralizedTime(seconds, omitFractionalSeconds: true);
        }
    }

    /// <summary>
    /// Rejects a CA whose keyUsage lacks cRLSign, because verifiers such as openssl reject a list it signs
    /// ("key usage does not include CRL signing"). A CA certificate without keyUsage may sign lists.
    /// </summary>
    private static void EnsureMaySignLists(CertificateAuthority authority)
    {
        var keyUsage = authority.Certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is not null && !keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign))
        {
            throw new RpcException(new Status(
                StatusCode.FailedPrecondition,
                $"Certificate authority '{authority.Alias}' has a keyUsage without cRLSign ({keyUsage.KeyUsages}), " +
                "so verifiers would reject a revocation list it signs. Configure a CA certificate whose keyUsage " +
                "includes cRLSign."));
        }
    }

    private static (DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate) ReadValidity(
        SignRevocationListRequest request,
        DateTimeOffset now)
    {
        if (request.ThisUpdate is null || request.NextUpdate is null)
        {
            throw RpcErrors.InvalidArgument(
                $"{(request.ThisUpdate is null ? "this_update" : "next_update")} is missing; set both this_update " +
                "and next_update.");
        }

        var thisUpdate = request.ThisUpdate.ToDateTimeOffset();
        var nextUpdate = request.NextUpdate.ToDateTimeOffset();
        if (thisUpdate > now + ClockSkewAllowance)
        {
            throw RpcErrors.InvalidArgument(
                $"this_update {thisUpdate:u} is in the future (now is {now:u}); set the time the list is made.");
        }

        if (nextUpdate <= thisUpdate || nextUpdate - thisUpdate > MaxValidity)
        {
            throw RpcErrors.InvalidArgument(
                $"next_update {nextUpdate:u} must lie after this_update {thisUpdate:u} and at most " +
                $"{MaxValidity.TotalDays} days later.");
        }

        if (nextUpdate <= now)
        {
            throw RpcErrors.InvalidArgument(
                $"next_update {nextUpdate:u} has passed (now is {now:u}); set a time in the future.");
        }

        return (thisUpdate, nextUpdate);
    }

    /// <summary>Reads a serial number given in hex, as <see cref="IssuedCertificate.SerialNumber"/> has it.</summary>
    private static byte[] ReadSerial(string hex, int index)
    {
        var valid = hex.Length is > 0 and <= MaxSerialBytes * 2 && hex.Length % 2 == 0 && hex.All(char.IsAsciiHexDigit);
        if (!valid)
        {
            var excerpt = hex.Length <= 80 ? hex : hex[..80] + "...";
            throw RpcErrors.InvalidArgument(
                $"revoked[{index}].serial_number '{excerpt}' is not a serial number; send 1 to {MaxSerialBytes} " +
                "bytes as an even number of hex digits, as IssuedCertificate.serial_number has it.");
        }

        var serial = Convert.FromHexString(hex);
        if (serial[0] >= 0x80 || (serial.Length > 1 && serial[0] == 0 && serial[1] < 0x80))
        {
            throw RpcErrors.InvalidArgument(
                $"revoked[{index}].serial_number {hex} is not a positive integer in its shortest form; send the " +
                "serial as the certificate encodes it, as IssuedCertificate.serial_number has it.");
        }

        return serial;
    }
}
