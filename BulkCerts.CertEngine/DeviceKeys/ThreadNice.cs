using System.Runtime.InteropServices;

namespace BulkCerts.CertEngine.DeviceKeys;

/// <summary>Lowers the scheduling priority of one thread, so that it runs only on otherwise idle cores.</summary>
internal static class ThreadNice
{
    // setpriority(PRIO_PROCESS, tid, nice) changes one thread only, because Linux keeps the nice
    // value per thread. On other Unix systems the same call would lower the whole process.
    private const int PriorityProcess = 0;
    private const int LowestNice = 19;

    /// <summary>
    /// Lowers the priority of the calling thread for the rest of its life. Returns false when the
    /// platform has no per-thread priority that this method can set.
    /// </summary>
    public static bool TryLowerCurrentThread()
    {
        // Windows applies Thread.Priority. .NET on Linux accepts it but leaves the nice value
        // unchanged (checked with .NET 10), so Linux gets setpriority below.
        Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return setpriority(PriorityProcess, gettid(), LowestNice) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            // gettid is in glibc from 2.30 and in musl from 1.2.2.
            return false;
        }
    }

    [DllImport("libc")]
    private static extern int gettid();

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int priority);
}
