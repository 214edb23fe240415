using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.Benchmarks.Micro;
using BulkCerts.CertEngine;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>
/// What the app is compared with: the same work done in this process on all cores, without the
/// app around it, and the openssl command-line loop that users write without a service.
/// </summary>
internal static class References
{
    /// <summary>Generates RSA-2048 keys on every core, or on some threads, and returns keys per second.</summary>
    public static double RawRsaKeysPerSecond(int count, int threads = 0)
    {
        var parallelism = threads > 0 ? threads : Environment.ProcessorCount;
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, _ =>
        {
            using var key = RSA.Create(2048);
            // The key is generated on first use.
            GC.KeepAlive(key.ExportParameters(includePrivateParameters: false));
        });
        return count / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Issues certificates with the engine's own code on every core (key generation, signing, PEM)
    /// and returns certificates per second: the ceiling of the engine on this machine.
    /// </summary>
    public static double InProcessCertificatesPerSecond(
        CertificateAuthority authority,
        KeyAlgorithm keyAlgorithm,
        int count)
    {
        // The engine's largest request by default.
        const int PerRequest = 1000;
        var requests = Enumerable.Range(0, (count + PerRequest - 1) / PerRequest)
            .Select(i => MicroFixtures.CreateRequest(
                authority,
                keyAlgorithm,
                Math.Min(PerRequest, count - (i * PerRequest)),
                firstIndex: i * PerRequest))
            .ToList();

        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, index =>
        {
            var certificate = DeviceCertificateFactory.Issue(requests[index / PerRequest], index % PerRequest);
            GC.KeepAlive(certificate);
        });
        return count / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>Creates PEM certification requests for new EC-P256 keys, on every core.</summary>
    public static string[] CreateSigningRequests(int count)
    {
        var pems = new string[count];
        Parallel.For(0, count, index =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(
                $"CN=bench-{index:D6}, O=BulkCerts Bench", key, HashAlgorithmName.SHA256);
            pems[index] = PemEncoding.WriteString("CERTIFICATE REQUEST", request.CreateSigningRequest()) + "\n";
        });
        return pems;
    }

    /// <summary>
    /// Signs the requests with the engine's own code on every core, from PEM as the Api receives
    /// them to the certificate PEM, and returns requests per second: the ceiling on this machine.
    /// </summary>
    public static double InProcessSigningPerSecond(CertificateAuthority authority, string[] pems)
    {
        const int PerRequest = 100;
        var stopwatch = Stopwatch.StartNew();
        var requests = pems.Chunk(PerRequest).Select((slice, i) =>
        {
            var request = new IssueCertificatesRequest
            {
                Count = slice.Length,
                FirstIndex = i * PerRequest,
                DaysExpiry = 30,
            };
            request.SigningRequests.AddRange(slice.Select(pem => new SigningRequest
            {
                Der = Google.Protobuf.ByteString.CopyFrom(PemEncoding.Find(pem) is var fields
                    ? Convert.FromBase64String(pem[fields.Base64Data])
                    : []),
            }));
            return IssuanceRequestValidator.Validate(
                request, authority, new CertEngineOptions(), DateTimeOffset.UtcNow);
        }).ToList();

        var failures = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, pems.Length, parallel, index =>
        {
            var certificate = SigningRequestCertificateFactory.Issue(requests[index / PerRequest], index % PerRequest);
            if (certificate.Error.Length > 0)
            {
                Interlocked.Increment(ref failures);
            }
        });
        var seconds = stopwatch.Elapsed.TotalSeconds;
        return failures == 0
            ? pems.Length / seconds
            : throw new InvalidOperationException($"{failures} of the benchmark's requests were not signed.");
    }

    /// <summary>Writes a self-signed RSA-2048 CA as PEM files and returns their paths.</summary>
    public static (string CertificatePath, string KeyPath) WriteRsaAuthority(string folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(
            "CN=BulkCerts benchmark RSA CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return WriteAuthority(folder, "rsa-ca", request, key);
    }

    /// <summary>
    /// Runs <c>scripts/openssl-loop.sh</c>, one loop per core, and returns certificates per second
    /// from the last line it prints.
    /// </summary>
    public static async Task<double> OpensslLoopPerSecondAsync(string repositoryRoot, string algorithm, int count)
    {
        var script = Path.Combine(repositoryRoot, "scripts", "openssl-loop.sh");
        var start = new ProcessStartInfo("bash", [script, algorithm, count.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {script}.");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} exited with {process.ExitCode}: {errors}");
        }

        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        var perSecond = last.Split(' ').Single(field => field.StartsWith("per_second=", StringComparison.Ordinal));
        return double.Parse(perSecond["per_second=".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a self-signed P-256 CA as PEM files and returns their paths.</summary>
    public static (string CertificatePath, string KeyPath) WriteEcAuthority(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=BulkCerts benchmark EC CA", key, HashAlgorithmName.SHA256);
        return WriteAuthority(folder, "ec-ca", request, key);
    }

    /// <summary>Self-signs a CA certificate valid for five years and writes it and its key as PEM files.</summary>
    private static (string CertificatePath, string KeyPath) WriteAuthority(
        string folder,
        string name,
        CertificateRequest request,
        AsymmetricAlgorithm key)
    {
        Directory.CreateDirectory(folder);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(5));

        var certificatePath = Path.Combine(folder, $"{name}.crt");
        var keyPath = Path.Combine(folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificatePath, keyPath);
    }

    /// <summary>Loads a CA from PEM files the way the engine does.</summary>
    /// <summary>Returns a self-signed RSA-3072 certificate allowing keyEncipherment, for encrypted downloads.</summary>
    public static string RecipientCertificatePem()
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest(
            "CN=Benchmark recipient", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(
            request.SubjectName,
            X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            now.AddDays(-1),
            now.AddDays(30),
            [0x01]);
        return certificate.ExportCertificatePem() + "\n";
    }

    public static CertificateAuthority LoadAuthority(string alias, string certificatePath, string keyPath) =>
        CertificateAuthorityLoader.Load(
            new AuthoritySource(
                alias,
                new AuthorityFile(certificatePath, "certificate"),
                new AuthorityFile(keyPath, "key"),
                Pkcs12: null,
                Passphrase: null,
                PassphraseSetting: "passphrase"),
            DateTimeOffset.UtcNow);
}
