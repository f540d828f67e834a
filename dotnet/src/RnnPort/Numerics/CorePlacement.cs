using System.Runtime.InteropServices;

namespace RnnPort;

/// <summary>
/// Keeps <see cref="SecondCore"/>'s helper thread off the core its caller runs on (Linux). A thread woken
/// from sleep is often queued on the waker's core (the scheduler expects it to use the waker's warm caches);
/// the helper then spins on the caller's core while the other one idles, and the caller runs at half speed
/// until the kernel migrates one of them, measured here as milliseconds. Removing the caller's core from the
/// helper's affinity before waking it places it elsewhere at once. Elsewhere than Linux this does nothing.
/// </summary>
internal static class CorePlacement
{
    private const int MaskBytes = 128;  // cpu_set_t: 1024 CPUs

    /// <summary>The calling thread's kernel id (for <see cref="KeepOff"/>), or 0 where there is none.</summary>
    internal static int CurrentThreadId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            return GetTid();
        }
        catch (EntryPointNotFoundException)
        {
            return 0;  // a C library before glibc 2.30
        }
    }

    /// <summary>The core the calling thread runs on now, or −1 where that cannot be asked.</summary>
    internal static int CurrentCore() => OperatingSystem.IsLinux() ? SchedGetCpu() : -1;

    /// <summary>
    /// Allows thread <paramref name="threadId"/> every core of <paramref name="allowed"/> except
    /// <paramref name="core"/>; false (nothing changed) when that leaves none or the kernel refuses.
    /// </summary>
    internal static unsafe bool KeepOff(int threadId, int core, ReadOnlySpan<byte> allowed)
    {
        if (threadId == 0 || core < 0 || core >= MaskBytes * 8)
        {
            return false;
        }

        byte* mask = stackalloc byte[MaskBytes];
        bool any = false;
        for (int i = 0; i < MaskBytes; i++)
        {
            mask[i] = i < allowed.Length ? allowed[i] : (byte)0;
            if (i == core / 8)
            {
                mask[i] &= (byte)~(1 << (core % 8));
            }

            any |= mask[i] != 0;
        }

        return any && SchedSetAffinity(threadId, MaskBytes, mask) == 0;
    }

    /// <summary>The cores the calling thread may run on, as a cpu_set_t; empty where that cannot be asked.</summary>
    internal static unsafe byte[] AllowedCores()
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        byte[] mask = new byte[MaskBytes];
        fixed (byte* pointer = mask)
        {
            return SchedGetAffinity(0, MaskBytes, pointer) == 0 ? mask : [];
        }
    }

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    [DllImport("libc", EntryPoint = "sched_getcpu")]
    private static extern int SchedGetCpu();

    [DllImport("libc", EntryPoint = "sched_setaffinity")]
    private static extern unsafe int SchedSetAffinity(int threadId, nint size, byte* mask);

    [DllImport("libc", EntryPoint = "sched_getaffinity")]
    private static extern unsafe int SchedGetAffinity(int threadId, nint size, byte* mask);
}
