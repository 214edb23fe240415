using System.Diagnostics;
using System.Runtime.InteropServices;

namespace BulkCerts.CertEngine;

/// <summary>
/// Restricts this process to some processor cores, so that several engines on one machine each get
/// cores of their own, as containers limited to a number of CPUs would.
/// </summary>
internal static partial class ProcessorCores
{
    private const int MaxCores = 1024;
    private const int NoSuchThread = 3;

    /// <summary>
    /// Pins every thread of the process to <paramref name="cores"/>. Threads started later inherit
    /// the restriction from the thread that starts them.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">On an operating system other than Linux or Windows.</exception>
    /// <exception cref="InvalidOperationException">When the system refuses, for example for a core it lacks.</exception>
    public static void Pin(IReadOnlyCollection<int> cores)
    {
        if (OperatingSystem.IsLinux())
        {
            PinLinuxThreads(cores);
        }
        else if (OperatingSystem.IsWindows())
        {
            // On Windows the affinity of a process applies to all of its threads.
            using var process = Process.GetCurrentProcess();
            process.ProcessorAffinity = (nint)cores.Aggregate(0L, (mask, core) => mask | (1L << core));
        }
        else
        {
            throw new PlatformNotSupportedException(
                $"Pinning to processor cores works on Linux and Windows only, not on {RuntimeInformation.OSDescription}.");
        }
    }

    private static void PinLinuxThreads(IReadOnlyCollection<int> cores)
    {
        var mask = new ulong[MaxCores / 64];
        foreach (var core in cores)
        {
            mask[core / 64] |= 1UL << (core % 64);
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            var threadId = int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture);
            if (SetAffinity(threadId, mask.Length * sizeof(ulong), mask) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error != NoSuchThread)
                {
                    throw new InvalidOperationException(
                        $"The system refused to pin the process to cores {string.Join(", ", cores)} " +
                        $"(sched_setaffinity error {error}); check that the machine has these cores.");
                }
            }
        }
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SetAffinity(int threadId, nint maskSize, ulong[] mask);
}
