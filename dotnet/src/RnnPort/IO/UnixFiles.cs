using System.Runtime.InteropServices;

namespace RnnPort;

/// <summary>
/// The two POSIX calls <see cref="AtomicFile"/> needs that .NET does not offer: a file's type (.NET
/// reports devices and FIFOs as ordinary files) and fsync of a directory (.NET refuses to open one).
/// </summary>
internal static class UnixFiles
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;  // struct statx: the same layout on every Linux architecture
    private const int TypeMask = 0xF000;

    /// <summary>What a path names, following links.</summary>
    internal enum Kind
    {
        /// <summary>Nothing: the path does not exist.</summary>
        Missing,

        /// <summary>A regular file.</summary>
        Regular,

        /// <summary>A directory.</summary>
        Directory,

        /// <summary>A device, FIFO or socket.</summary>
        Other,
    }

    /// <summary>The kind of file at <paramref name="path"/>: statx on Linux, .NET's view elsewhere.</summary>
    internal static Kind KindOf(string path)
    {
        if (Directory.Exists(path))
        {
            return Kind.Directory;
        }

        if (!File.Exists(path))
        {
            return Kind.Missing;
        }

        if (!OperatingSystem.IsLinux())
        {
            return Kind.Regular;
        }

        byte[] buffer = new byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            return Kind.Regular;  // an old kernel without statx: .NET's view
        }

        int type = BitConverter.ToUInt16(buffer, StatxModeOffset) & TypeMask;
        return type switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            _ => Kind.Other,
        };
    }

    /// <summary>fsync a directory, so that a rename in it survives a crash; a no-op on Windows.</summary>
    /// <returns>0, or the errno of the failure (EINVAL and ENOTSUP, "cannot sync this", count as 0).</returns>
    internal static int SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return 0;
        }

        int fd = Open(directory, 0);  // O_RDONLY
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            if (Fsync(fd) == 0)
            {
                return 0;
            }

            int error = Marshal.GetLastPInvokeError();
            return error is 22 or 95 ? 0 : error;  // EINVAL, ENOTSUP
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport, not LibraryImport: the generator's string marshalling would need unsafe code in this library.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
