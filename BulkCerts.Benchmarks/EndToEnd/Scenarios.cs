using System.Diagnostics;
using System.Text.Json;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end scenarios. Each measures the app and its reference alternately, so that both
/// see the same machine, and reports totals over all rounds.
/// </summary>
internal sealed class Scenarios(
    string repositoryRoot,
    string dataPath,
    int rounds,
    IReadOnlyList<string> extraSettings,
    Report report)
{
    private const string EcSupplier = "bench-ec";
    private const string EcSupplierPath = $"/supplier/{EcSupplier}/certificates";
    private const string RsaSupplier = "bench-rsa";
    private const string RsaSupplierPath = $"/supplier/{RsaSupplier}/certificates";
    private const int RsaQuantity = 200;
    private const int EcQuantity = 20_000;
    private const int DownloadQuantity = 100_000;
    private const int MaxQuantity = 100_000;

    private static BenchApp? s_app;
    private static string? s_appName;

    private double? _rsaPerSecond;
    private double? _ecPerSecond;

    /// <summary>Certification requests of the csr scenario.</summary>
    public int CsrCount { get; init; } = 10_000;

    public Task RunAsync(string scenario) => scenario switch
    {
        "rsa" => RsaAsync(),
        "ec" => EcAsync(),
        "csr" => CsrAsync(),
        "post" => PostAsync(),
        "download" => DownloadAsync(),
        "keypool" => KeyPoolAsync(),
        "scale" => ScaleAsync(),
        "delivery" => DeliveryAsync(),
        _ => OpensslAsync(),
    };

    public static async Task StopAppAsync()
    {
        if (s_app is not null)
        {
            await s_app.DisposeAsync();
            s_app = null;
            s_appName = null;
        }
    }

    private string EcAuthorityFolder => Path.Combine(dataPath, "ec-ca");

    /// <summary>Returns the running app if it was started as <paramref name="name"/>, else starts it so.</summary>
    private async Task<BenchApp> AppAsync(string name, params string[] settings)
    {
        if (s_appName == name && s_app is not null)
        {
            return s_app;
        }

        await StopAppAsync();
        var (certificatePath, keyPath) = EcAuthority();
        Console.WriteLine($"  starting the app ({name})");
        s_app = await BenchApp.StartAsync(
            Path.Combine(dataPath, name),
            [
                $"CertEngine:CertificateAuthorities:{EcSupplier}:CertificatePath={certificatePath}",
                $"CertEngine:CertificateAuthorities:{EcSupplier}:PrivateKeyPath={keyPath}",
                $"BulkCerts:Suppliers:{EcSupplier}={EcSupplier}",
                .. settings,
                .. extraSettings,
            ]);
        s_appName = name;
        return s_app;
    }

    private (string CertificatePath, string KeyPath) EcAuthority()
    {
        var certificatePath = Path.Combine(EcAuthorityFolder, "ec-ca.crt");
        return File.Exists(certificatePath)
            ? (certificatePath, Path.Combine(EcAuthorityFolder, "ec-ca.key"))
            : References.WriteEcAuthority(EcAuthorityFolder);
    }

    /// <summary>An RSA-2048 task of 200 certificates against raw .NET key generation on all cores.</summary>
    private async Task RsaAsync()
    {
        var app = await AppAsync("default");
        await RunAndDeleteAsync(app, "/certificates", TaskRunner.Body(10, "RSA-2048", "warm-up"));

        var referenceSeconds = 0.0;
        var appSeconds = 0.0;
        for (var round = 1; round <= rounds; round++)
        {
            var reference = References.RawRsaKeysPerSecond(RsaQuantity);
            var elapsed = await RunAndDeleteAsync(app, "/certificates", TaskRunner.Body(RsaQuantity, "RSA-2048", "rsa"));
            Console.WriteLine($"  round {round}: raw key generation {reference:F2}/s, " +
                $"task {RsaQuantity / elapsed.TotalSeconds:F2}/s ({elapsed.TotalSeconds:F1} s)");
            referenceSeconds += RsaQuantity / reference;
            appSeconds += elapsed.TotalSeconds;
        }

        var total = RsaQuantity * rounds;
        _rsaPerSecond = total / appSeconds;
        var ratio = referenceSeconds / appSeconds;
        report.Add(
            $"RSA-2048, {RsaQuantity}-certificate task, POST to complete",
            $"{_rsaPerSecond:F2}/s, {ratio:P0} of the reference",
            $"raw .NET RSA-2048 key generation on all cores {total / referenceSeconds:F2}/s",
            "≥ 90 % of the reference",
            ratio >= 0.9);
    }

    /// <summary>A 20,000-certificate EC-P256 task against the engine's own code run in this process.</summary>
    private async Task EcAsync()
    {
        var app = await AppAsync("default");
        var (certificatePath, keyPath) = EcAuthority();
        using var authority = References.LoadAuthority(EcSupplier, certificatePath, keyPath);

        // Warm both up: the first 10,000 certificates of a fresh app run measurably slower.
        References.InProcessCertificatesPerSecond(authority, KeyAlgorithm.EcP256, 5_000);
        await RunAndDeleteAsync(app, EcSupplierPath, TaskRunner.Body(10_000, "EC-P256", "warm-up"));

        var ceilingSeconds = 0.0;
        var appSeconds = 0.0;
        for (var round = 1; round <= rounds; round++)
        {
            var ceiling = References.InProcessCertificatesPerSecond(authority, KeyAlgorithm.EcP256, EcQuantity);
            var elapsed = await RunAndDeleteAsync(app, EcSupplierPath, TaskRunner.Body(EcQuantity, "EC-P256", "ec"));
            Console.WriteLine($"  round {round}: in-process {ceiling:F0}/s, " +
                $"task {EcQuantity / elapsed.TotalSeconds:F0}/s ({elapsed.TotalSeconds:F1} s)");
            ceilingSeconds += EcQuantity / ceiling;
            appSeconds += elapsed.TotalSeconds;
        }

        var total = EcQuantity * rounds;
        _ecPerSecond = total / appSeconds;
        var ratio = ceilingSeconds / appSeconds;
        var reference = $"in-process key generation, signing and PEM on all cores {total / ceilingSeconds:F0}/s";
        report.Add(
            $"EC-P256 (P-256 CA), {EcQuantity:N0}-certificate task, POST to complete",
            $"{_ecPerSecond:F0}/s",
            reference,
            "≥ 1,500/s",
            _ecPerSecond >= 1500);
        report.Add("EC-P256 task against the in-process ceiling", $"{ratio:P0}", reference, "≥ 50 %", ratio >= 0.5);
    }

    /// <summary>
    /// Signs pre-generated EC-P256 certification requests with an RSA-2048 CA, from the POST of an
    /// application/x-ndjson upload to the downloaded zip, against the engine's signing code run in
    /// this process on the same requests with the same CA.
    /// </summary>
    private async Task CsrAsync()
    {
        var folder = Path.Combine(dataPath, "rsa-ca");
        var (certificatePath, keyPath) = File.Exists(Path.Combine(folder, "rsa-ca.crt"))
            ? (Path.Combine(folder, "rsa-ca.crt"), Path.Combine(folder, "rsa-ca.key"))
            : References.WriteRsaAuthority(folder);
        var app = await AppAsync(
            "csr",
            $"CertEngine:CertificateAuthorities:{RsaSupplier}:CertificatePath={certificatePath}",
            $"CertEngine:CertificateAuthorities:{RsaSupplier}:PrivateKeyPath={keyPath}",
            $"BulkCerts:Suppliers:{RsaSupplier}={RsaSupplier}");
        using var authority = References.LoadAuthority(RsaSupplier, certificatePath, keyPath);

        var stopwatch = Stopwatch.StartNew();
        var requests = References.CreateSigningRequests(CsrCount);
        var upload = TaskRunner.SigningRequestUpload(requests);
        Console.WriteLine($"  generated {CsrCount:N0} EC-P256 requests in {stopwatch.Elapsed.TotalSeconds:F1} s " +
            $"({upload.Length / 1e6:F1} MB upload)");

        // Warm both up: the Api's share of the processor time halves once its code is compiled.
        var warmUp = requests[..Math.Min(5_000, requests.Length)];
        References.InProcessSigningPerSecond(authority, warmUp);
        await RunUploadAsync(app, TaskRunner.SigningRequestUpload(warmUp));

        // Processor time shows the cost of each request apart from other work on the machine, which
        // slows both rates alike.
        var apiProcesses = await app.ProcessIdsAsync("api");
        var engineProcesses = await app.ProcessIdsAsync("certengine");
        int[] appProcesses = [.. apiProcesses, .. engineProcesses, .. await app.ProcessIdsAsync("redis")];
        var referenceSeconds = 0.0;
        var appSeconds = 0.0;
        var referenceProcessor = TimeSpan.Zero;
        var appProcessor = TimeSpan.Zero;
        for (var round = 1; round <= rounds; round++)
        {
            var driverBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var reference = References.InProcessSigningPerSecond(authority, requests);
            referenceProcessor += Process.GetCurrentProcess().TotalProcessorTime - driverBefore;

            var appBefore = SumProcessorTime(appProcesses);
            var apiBefore = SumProcessorTime(apiProcesses);
            var engineBefore = SumProcessorTime(engineProcesses);
            var elapsed = await RunUploadAsync(app, upload);
            appProcessor += SumProcessorTime(appProcesses) - appBefore;
            Console.WriteLine($"  round {round}: processor time per request: Api " +
                $"{(SumProcessorTime(apiProcesses) - apiBefore).TotalMicroseconds / CsrCount:F0} µs, CertEngine " +
                $"{(SumProcessorTime(engineProcesses) - engineBefore).TotalMicroseconds / CsrCount:F0} µs");
            Console.WriteLine($"  round {round}: in-process signing {reference:F0}/s, " +
                $"task {CsrCount / elapsed.TotalSeconds:F0}/s ({elapsed.TotalSeconds:F1} s POST to downloaded zip)");
            referenceSeconds += CsrCount / reference;
            appSeconds += elapsed.TotalSeconds;
        }

        var appMicroseconds = appProcessor.TotalMicroseconds / (CsrCount * rounds);
        var referenceMicroseconds = referenceProcessor.TotalMicroseconds / (CsrCount * rounds);
        report.Add(
            "Processor time per CSR, Api, CertEngine and Redis together",
            $"{appMicroseconds:F0} µs, so at most {Environment.ProcessorCount * 1e6 / appMicroseconds:F0}/s " +
                $"on {Environment.ProcessorCount} otherwise idle cores",
            $"in-process signing {referenceMicroseconds:F0} µs",
            "≤ 2 × the reference",
            appMicroseconds <= 2 * referenceMicroseconds);

        var total = CsrCount * rounds;
        var perSecond = total / appSeconds;
        var ratio = referenceSeconds / appSeconds;
        report.Add(
            $"CSR signing (RSA-2048 CA), {CsrCount:N0} EC-P256 requests, POST to downloaded zip",
            $"{perSecond:F0}/s, {ratio:P0} of the reference",
            "in-process parsing, verification and signing of the same requests on all cores " +
                $"{total / referenceSeconds:F0}/s",
            "≥ 1,000/s",
            perSecond >= 1000);
    }

    private static TimeSpan SumProcessorTime(IEnumerable<int> processIds) =>
        processIds.Aggregate(TimeSpan.Zero, (sum, id) => sum + ProcessTree.ProcessorTime(id));

    /// <summary>Uploads requests, waits for the task, downloads its zip, and returns the time of the three.</summary>
    private static async Task<TimeSpan> RunUploadAsync(BenchApp app, string upload)
    {
        var stopwatch = Stopwatch.StartNew();
        var (taskId, _) = await TaskRunner.CreateAsync(app.Api, RsaSupplierPath, upload, TaskRunner.Ndjson);
        await TaskRunner.WaitForCompleteAsync(app.Api, taskId);
        await TaskRunner.DownloadAsync(app.Api, taskId);
        var elapsed = stopwatch.Elapsed;
        await TaskRunner.DeleteAsync(app.Api, taskId);
        return elapsed;
    }

    /// <summary>POST of the largest quantity, each task deleted at once, against a POST of one certificate.</summary>
    private async Task PostAsync()
    {
        const int Samples = 300;

        // An app of its own: the deleted tasks leave queue entries that its dispatchers then skip.
        var app = await AppAsync("post");
        var largest = TaskRunner.Body(MaxQuantity, "EC-P256", "post");
        var smallest = TaskRunner.Body(1, "EC-P256", "post");

        var large = new List<double>();
        var small = new List<double>();
        for (var i = -20; i < Samples; i++)
        {
            var (largeId, largeTime) = await TaskRunner.CreateAsync(app.Api, EcSupplierPath, largest);
            await TaskRunner.DeleteAsync(app.Api, largeId);
            var (smallId, smallTime) = await TaskRunner.CreateAsync(app.Api, EcSupplierPath, smallest);
            await TaskRunner.DeleteAsync(app.Api, smallId);
            if (i >= 0)
            {
                large.Add(largeTime.TotalMilliseconds);
                small.Add(smallTime.TotalMilliseconds);
            }
        }

        var p99 = Percentile(large, 0.99);
        Console.WriteLine($"  quantity {MaxQuantity:N0}: p50 {Percentile(large, 0.5):F1} ms, " +
            $"p99 {p99:F1} ms, max {large.Max():F1} ms over {Samples} requests");
        report.Add(
            $"POST of quantity {MaxQuantity:N0}, 99th percentile of {Samples}",
            $"{p99:F1} ms (p50 {Percentile(large, 0.5):F1} ms)",
            $"POST of quantity 1: p99 {Percentile(small, 0.99):F1} ms, p50 {Percentile(small, 0.5):F1} ms",
            "< 100 ms",
            p99 < 100);
    }

    /// <summary>Issues and downloads a 100,000-certificate EC-P256 task while sampling process memory.</summary>
    private async Task DownloadAsync()
    {
        var app = await AppAsync("default");
        var apiProcesses = await app.ProcessIdsAsync("api");
        var engineProcesses = await app.ProcessIdsAsync("certengine");
        var apiIdle = apiProcesses.Max(ProcessTree.ResidentBytes);

        string taskId;
        TimeSpan issueTime;
        long apiIssuePeak;
        long enginePeak;
        await using (var apiMemory = new MemorySampler(apiProcesses))
        await using (var engineMemory = new MemorySampler(engineProcesses))
        {
            (taskId, issueTime) = await TaskRunner.RunAsync(
                app.Api, EcSupplierPath, TaskRunner.Body(DownloadQuantity, "EC-P256", "download"));
            apiIssuePeak = apiMemory.PeakBytes;
            enginePeak = engineMemory.PeakBytes;
        }

        Console.WriteLine($"  issued {DownloadQuantity:N0} in {issueTime.TotalSeconds:F1} s " +
            $"({DownloadQuantity / issueTime.TotalSeconds:F0}/s); peak memory: Api {Megabytes(apiIssuePeak)}, " +
            $"CertEngine {Megabytes(enginePeak)}");

        long bytes;
        TimeSpan downloadTime;
        long apiDownloadPeak;
        await using (var apiMemory = new MemorySampler(apiProcesses))
        {
            var stopwatch = Stopwatch.StartNew();
            bytes = await TaskRunner.DownloadAsync(app.Api, taskId);
            downloadTime = stopwatch.Elapsed;
            apiDownloadPeak = apiMemory.PeakBytes;
        }

        await TaskRunner.DeleteAsync(app.Api, taskId);
        var megabytesPerSecond = bytes / 1e6 / downloadTime.TotalSeconds;
        Console.WriteLine($"  downloaded {bytes / 1e6:F1} MB in {downloadTime.TotalSeconds:F1} s");
        report.Add(
            $"Download of a {DownloadQuantity:N0}-certificate EC-P256 zip",
            $"{megabytesPerSecond:F1} MB/s ({bytes / 1e6:F0} MB in {downloadTime.TotalSeconds:F1} s)",
            "absolute goal",
            "≥ 50 MB/s",
            megabytesPerSecond >= 50);
        report.Add(
            "Api peak memory (resident) during that download",
            Megabytes(apiDownloadPeak),
            $"Api before the task {Megabytes(apiIdle)}; during issuance: Api {Megabytes(apiIssuePeak)}, " +
                $"CertEngine {Megabytes(enginePeak)}",
            "< 300 MB",
            apiDownloadPeak < 300_000_000);
    }

    /// <summary>Latency of a 10-certificate RSA task without and with a full key pool.</summary>
    private async Task KeyPoolAsync()
    {
        const int Quantity = 10;
        const int PoolSize = 64;
        var body = TaskRunner.Body(Quantity, "RSA-2048", "small");

        var app = await AppAsync("default");
        var without = new List<double>();
        for (var round = 0; round < 3 * rounds; round++)
        {
            without.Add((await RunAndDeleteAsync(app, "/certificates", body)).TotalSeconds);
        }

        app = await AppAsync("keypool", "CertEngine:KeyPool:Enabled=true", $"CertEngine:KeyPool:Rsa2048={PoolSize}");
        // An idle engine fills the pool one key at a time, about 0.2 s each, so 64 keys take about 13 s.
        await Task.Delay(TimeSpan.FromSeconds(30));
        var with = new List<double>();
        for (var round = 0; round < 3 * rounds; round++)
        {
            with.Add((await RunAndDeleteAsync(app, "/certificates", body)).TotalSeconds);
        }

        report.Add(
            $"RSA-2048, {Quantity}-certificate task with a full key pool, mean of {with.Count}",
            $"{with.Average():F2} s",
            $"without the pool {without.Average():F2} s",
            "faster than without",
            with.Average() < without.Average());
    }

    /// <summary>
    /// RSA throughput of two CertEngine replicas limited to one core each against one such replica,
    /// next to raw key generation on two threads against one, which bounds what the cores allow.
    /// </summary>
    private async Task ScaleAsync()
    {
        var (one, rawOne) = await ScaleRunAsync(1);
        var (two, rawTwo) = await ScaleRunAsync(2);
        report.Add(
            "RSA-2048 task on two CertEngine replicas limited to one core each",
            $"{two:F2}/s, {two / one:F2} times one replica ({one:F2}/s)",
            $"raw key generation on two threads {rawTwo:F2}/s, {rawTwo / rawOne:F2} times one thread ({rawOne:F2}/s)",
            "≥ 1.6 times",
            two / one >= 1.6);
    }

    private async Task<(double Task, double Raw)> ScaleRunAsync(int replicas)
    {
        var app = await AppAsync($"replicas-{replicas}", $"CertEngine:Replicas={replicas}", "CertEngine:CoresPerReplica=1");
        await RunAndDeleteAsync(app, "/certificates", TaskRunner.Body(10, "RSA-2048", "warm-up"));
        var taskSeconds = 0.0;
        var rawSeconds = 0.0;
        for (var round = 1; round <= rounds; round++)
        {
            var elapsed = await RunAndDeleteAsync(app, "/certificates", TaskRunner.Body(RsaQuantity, "RSA-2048", "scale"));
            var raw = References.RawRsaKeysPerSecond(RsaQuantity / 2 * replicas, threads: replicas);
            Console.WriteLine($"  {replicas} replica(s), round {round}: task {RsaQuantity / elapsed.TotalSeconds:F2}/s, " +
                $"raw key generation on {replicas} thread(s) {raw:F2}/s");
            taskSeconds += elapsed.TotalSeconds;
            rawSeconds += RsaQuantity / 2 * replicas / raw;
        }

        return (RsaQuantity * rounds / taskSeconds, RsaQuantity / 2 * replicas * rounds / rawSeconds);
    }

    /// <summary>The openssl command-line loop, one loop per core, against the task rates measured above.</summary>
    private async Task OpensslAsync()
    {
        await StopAppAsync();
        var rsa = await References.OpensslLoopPerSecondAsync(repositoryRoot, "rsa", 40);
        var ec = await References.OpensslLoopPerSecondAsync(repositoryRoot, "ec", 400);
        report.Add(
            "openssl loop (genpkey, req, x509, pkey per device), RSA-2048",
            $"{rsa:F2}/s",
            _rsaPerSecond is { } rsaTask ? $"BulkCerts task {rsaTask:F2}/s, {rsaTask / rsa:F1} times faster" : "no task run",
            "slower than BulkCerts",
            _rsaPerSecond is null || _rsaPerSecond > rsa);
        report.Add(
            "openssl loop, EC-P256",
            $"{ec:F1}/s",
            _ecPerSecond is { } ecTask ? $"BulkCerts task {ecTask:F0}/s, {ecTask / ec:F0} times faster" : "no task run",
            "slower than BulkCerts",
            _ecPerSecond is null || _ecPerSecond > ec);
    }

    /// <summary>
    /// Measures PKCS#12 against PEM issuance of the same EC-P256 tasks, and the download of a zip encrypted to
    /// a recipient certificate against a plain one of the same size.
    /// </summary>
    private async Task DeliveryAsync()
    {
        const int Quantity = 2_000;
        const int DownloadQuantity = 20_000;
        const string Pkcs12 = ", \"outputFormat\": \"pkcs12\", \"pkcs12Password\": \"benchmark password\"";
        var app = await AppAsync("default");
        await RunAndDeleteAsync(app, EcSupplierPath, TaskRunner.Body(10_000, "EC-P256", "warm-up"));

        var pemSeconds = 0.0;
        var pkcs12Seconds = 0.0;
        for (var round = 1; round <= rounds; round++)
        {
            var pem = await RunAndDeleteAsync(app, EcSupplierPath, TaskRunner.Body(Quantity, "EC-P256", "pem"));
            var pkcs12 = await RunAndDeleteAsync(
                app, EcSupplierPath, TaskRunner.Body(Quantity, "EC-P256", "p12", Pkcs12));
            Console.WriteLine($"  round {round}: PEM {Quantity / pem.TotalSeconds:F0}/s, " +
                $"PKCS#12 {Quantity / pkcs12.TotalSeconds:F0}/s");
            pemSeconds += pem.TotalSeconds;
            pkcs12Seconds += pkcs12.TotalSeconds;
        }

        var total = Quantity * rounds;
        report.Add(
            $"EC-P256, {Quantity}-certificate task as PKCS#12, POST to complete",
            $"{total / pkcs12Seconds:F0}/s, {pemSeconds / pkcs12Seconds:P0} of PEM",
            $"the same task as PEM {total / pemSeconds:F0}/s",
            "",
            true);

        var recipient = JsonSerializer.Serialize(References.RecipientCertificatePem());
        var (plainTask, _) = await TaskRunner.RunAsync(
            app.Api, EcSupplierPath, TaskRunner.Body(DownloadQuantity, "EC-P256", "plain"));
        var (encryptedTask, _) = await TaskRunner.RunAsync(
            app.Api,
            EcSupplierPath,
            TaskRunner.Body(DownloadQuantity, "EC-P256", "p7m", $", \"recipientCertificate\": {recipient}"));
        var plainTime = TimeSpan.Zero;
        var encryptedTime = TimeSpan.Zero;
        long plainBytes = 0;
        long encryptedBytes = 0;
        for (var round = 1; round <= rounds; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            plainBytes = await TaskRunner.DownloadAsync(app.Api, plainTask);
            plainTime += stopwatch.Elapsed;
            stopwatch.Restart();
            encryptedBytes = await TaskRunner.DownloadAsync(app.Api, encryptedTask);
            encryptedTime += stopwatch.Elapsed;
        }

        await TaskRunner.DeleteAsync(app.Api, plainTask);
        await TaskRunner.DeleteAsync(app.Api, encryptedTask);
        var plainSeconds = plainTime.TotalSeconds / rounds;
        var encryptedSeconds = encryptedTime.TotalSeconds / rounds;
        report.Add(
            $"Download of a {DownloadQuantity}-certificate EC-P256 zip encrypted to an RSA recipient",
            $"{encryptedSeconds:F2} s, {encryptedBytes / 1e6 / encryptedSeconds:F1} MB/s " +
                $"({encryptedBytes / 1e6:F1} MB)",
            $"the plain zip of the same size {plainSeconds:F2} s, {plainBytes / 1e6 / plainSeconds:F1} MB/s",
            "",
            true);
    }

    private static async Task<TimeSpan> RunAndDeleteAsync(BenchApp app, string path, string body)
    {
        var (taskId, elapsed) = await TaskRunner.RunAsync(app.Api, path, body);
        await TaskRunner.DeleteAsync(app.Api, taskId);
        return elapsed;
    }

    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(fraction * sorted.Count) - 1)];
    }

    private static string Megabytes(long bytes) => $"{bytes / 1e6:F0} MB";
}
