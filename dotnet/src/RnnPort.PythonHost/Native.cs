using System.Runtime.InteropServices;

namespace RnnPort.PythonHost;

/// <summary>The C library calls the host needs: loading libpython by path with global symbols,
/// flushing C stdio, and unsetting a variable in the native environment that Python reads.</summary>
internal static partial class Native
{
    private const string LibC = "libc.so.6";

    [LibraryImport(LibC, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint dlopen(string path, int flags);

    [LibraryImport(LibC, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint dlsym(nint handle, string name);

    [LibraryImport(LibC)]
    private static partial nint dlerror();

    [LibraryImport(LibC)]
    internal static partial int fflush(nint stream);

    [LibraryImport(LibC, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int unsetenv(string name);

    /// <summary>Clears the pending <c>dlerror()</c> message.</summary>
    internal static void ClearDlError() => dlerror();

    /// <summary>The last <c>dlerror()</c> message, on one line.</summary>
    internal static string LastDlError() =>
        (Marshal.PtrToStringUTF8(dlerror()) ?? "unknown error").ReplaceLineEndings(" ");
}
