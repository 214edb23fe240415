using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Grpc;
using BulkCerts.CertEngine.V1;
using Grpc.Core;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Signs an X.509 v2 certificate revocation list (RFC 5280 section 5) with a CA's key, after checking
/// every field of the request. The list carries the CA's authority key identifier and the request's
/// cRLNumber; an entry's reason code extension is left out for unspecified, as RFC 5280 recommends.
/// </summary>
public static class RevocationListFactory
{
    /// <summary>The longest validity of one list.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(366);

    /// <summary>How far thisUpdate may lie ahead of the engine's clock, for callers whose clocks run ahead.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

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
        var builder = new CertificateRevocationListBuilder();
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
                throw RpcErrors.InvalidArgument($"revoked[{index}].revocation_date is missing; set when it was revoked.");
            }

            var revokedAt = entry.RevocationDate.ToDateTimeOffset();
            if (revokedAt > thisUpdate)
            {
                throw RpcErrors.InvalidArgument(
                    $"revoked[{index}].revocation_date {revokedAt:u} is after this_update {thisUpdate:u}; a list " +
                    "holds only revocations made before it.");
            }

            X509RevocationReason? reason = entry.Reason == 0 ? null : (X509RevocationReason)entry.Reason;
            builder.AddEntry(serial, revokedAt, reason);
        }

        return builder.Build(
            authority.Certificate.SubjectName,
            authority.SignatureGenerator,
            new BigInteger(request.CrlNumber),
            nextUpdate,
            authority.HashAlgorithm,
            authority.AuthorityKeyIdentifier,
            thisUpdate);
    }

    /// <summary>
    /// Refuses a CA whose keyUsage lacks cRLSign: verifiers such as openssl reject a list it signs
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
            var shown = hex.Length <= 80 ? hex : hex[..80] + "...";
            throw RpcErrors.InvalidArgument(
                $"revoked[{index}].serial_number '{shown}' is not a serial number; send 1 to {MaxSerialBytes} " +
                "bytes as an even number of hex digits, as IssuedCertificate.serial_number has it.");
        }

        return Convert.FromHexString(hex);
    }
}
