using System.Runtime.InteropServices;

namespace RnnPort;

/// <summary>
/// The type of the file a path names (symbolic links followed), from <c>statx(2)</c>, without opening
/// it: opening a FIFO blocks, and .NET's file APIs do not tell a FIFO or a device from a regular file.
/// Model-file rule F1 (<c>docs/model-file.md</c>); the NumPy twin uses <c>os.fstat</c> after a
/// non-blocking open.
/// </summary>
internal static class FileKind
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x0001;
    private const int ModeOffset = 28;          // struct statx: stx_mode (u16) at byte 28 on every architecture
    private const int TypeMask = 0xF000;        // S_IFMT
    private const int Regular = 0x8000;         // S_IFREG
    private const int DirectoryType = 0x4000;   // S_IFDIR

    /// <summary>What a path names.</summary>
    internal enum Kind
    {
        /// <summary>statx is unavailable (not Linux/glibc): the caller falls back to sizes.</summary>
        Unknown,

        /// <summary>Nothing: the path, or a symbolic link's target, does not exist.</summary>
        Missing,

        /// <summary>A regular file.</summary>
        Regular,

        /// <summary>A directory.</summary>
        Directory,

        /// <summary>A FIFO, socket, character or block device.</summary>
        Special,
    }

    /// <summary>The kind of file <paramref name="path"/> names, following symbolic links.</summary>
    internal static Kind Of(string path)
    {
        var buffer = new byte[256];
        int result;
        try
        {
            result = NativeMethods.Statx(AtCurrentDirectory, path, 0, StatxType, buffer);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return Kind.Unknown;
        }

        if (result != 0)
        {
            return Kind.Missing;
        }

        return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) switch
        {
            Regular => Kind.Regular,
            DirectoryType => Kind.Directory,
            _ => Kind.Special,
        };
    }

    private static class NativeMethods
    {
        [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
        internal static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
