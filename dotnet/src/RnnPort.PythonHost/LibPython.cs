using System.Runtime.InteropServices;
using System.Text;

namespace RnnPort.PythonHost;

/// <summary>
/// A libpython loaded with <c>dlopen(RTLD_NOW | RTLD_GLOBAL)</c> (extension modules such as NumPy's
/// resolve the C API from the global namespace), and the part of CPython's embedding API that
/// <c>python3</c>'s own <c>main</c> uses: <c>PyConfig</c> with <c>parse_argv</c>, then <c>Py_RunMain</c>.
/// Everything here exists since Python 3.8 with the same signatures.
/// </summary>
internal sealed unsafe class LibPython
{
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;

    /// <summary><c>PyConfig</c>'s size differs between versions (about 500 bytes in 3.11); it is only
    /// ever touched through the C API, so a buffer larger than any version's struct is enough.</summary>
    private const int PyConfigBufferSize = 16 * 1024;

    private readonly delegate* unmanaged<nint, void> _initPythonConfig;
    private readonly delegate* unmanaged<nint, nint, nint, PyStatus> _setBytesArgv;
    private readonly delegate* unmanaged<nint, PyStatus> _initializeFromConfig;
    private readonly delegate* unmanaged<nint, void> _configClear;
    private readonly delegate* unmanaged<PyStatus, void> _exitStatusException;
    private readonly delegate* unmanaged<int> _runMain;

    private LibPython(string path, nint handle, Version version)
    {
        Path = path;
        Version = version;
        _initPythonConfig = (delegate* unmanaged<nint, void>)Export(handle, "PyConfig_InitPythonConfig");
        _setBytesArgv = (delegate* unmanaged<nint, nint, nint, PyStatus>)Export(handle, "PyConfig_SetBytesArgv");
        _initializeFromConfig = (delegate* unmanaged<nint, PyStatus>)Export(handle, "Py_InitializeFromConfig");
        _configClear = (delegate* unmanaged<nint, void>)Export(handle, "PyConfig_Clear");
        _exitStatusException = (delegate* unmanaged<PyStatus, void>)Export(handle, "Py_ExitStatusException");
        _runMain = (delegate* unmanaged<int>)Export(handle, "Py_RunMain");
    }

    /// <summary>The path the library was loaded from.</summary>
    public string Path { get; }

    /// <summary>The library's Python version (major.minor.micro) from <c>Py_GetVersion</c>.</summary>
    public Version Version { get; }

    /// <summary>Loads <paramref name="path"/> and checks that it is a libpython of a version in
    /// [<paramref name="minimum"/>, <paramref name="maximum"/>], without starting it.</summary>
    /// <exception cref="HostStartupException">The file is missing, is not a shared library, is not a
    /// libpython, or its version is outside the range.</exception>
    public static LibPython Open(string path, Version minimum, Version maximum)
    {
        if (!File.Exists(path))
        {
            throw new HostStartupException(
                $"libpython not found at {path}. Install Debian's libpython3.11 (apt-get install -y libpython3.11) " +
                "or set PYTHONNET_PYDLL to the path of a libpython3.x shared library");
        }

        Native.ClearDlError(); // binds dlerror now: binding it after a failed dlopen would clear the message
        nint handle = Native.dlopen(path, RtldNow | RtldGlobal);
        if (handle == 0)
        {
            throw new HostStartupException($"cannot load libpython {path}: {Native.LastDlError()}");
        }

        nint getVersion = Native.dlsym(handle, "Py_GetVersion");
        if (getVersion == 0)
        {
            throw new HostStartupException($"{path} is not a libpython (it has no Py_GetVersion)");
        }

        // Py_GetVersion only formats static strings, so it is safe before the interpreter starts.
        string versionText = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)getVersion)()) ?? "";
        string number = versionText.Split(' ', 2)[0];
        Version? version = ParseVersion(number);
        if (version is null || version < minimum || version > maximum)
        {
            throw new HostStartupException(
                $"{path} is Python {number}; this host runs Python {minimum.Major}.{minimum.Minor} to " +
                $"{maximum.Major}.{maximum.Minor} (set PYTHONNET_PYDLL to such a libpython)");
        }

        foreach (string name in new[] { "PyConfig_InitPythonConfig", "PyConfig_SetBytesArgv", "Py_InitializeFromConfig",
                     "PyConfig_Clear", "Py_ExitStatusException", "Py_RunMain" })
        {
            if (Native.dlsym(handle, name) == 0)
            {
                throw new HostStartupException($"{path} (Python {number}) lacks {name}");
            }
        }

        return new LibPython(path, handle, version);
    }

    /// <summary>Starts the interpreter as <c>python3 ARGS</c> would: CPython parses
    /// <paramref name="argv"/> (options, <c>-c</c>, <c>-m</c>, a script, <c>-</c>) itself.</summary>
    /// <param name="argv"><c>argv[0]</c> (the program name in usage messages) and the arguments, as bytes.</param>
    /// <returns>null once the interpreter runs; otherwise the exit code python3 would return without
    /// running anything (0 after <c>-V</c> or <c>-h</c>, 2 for a usage error).</returns>
    public int? Initialize(IReadOnlyList<byte[]> argv)
    {
        nint config = Marshal.AllocHGlobal(PyConfigBufferSize);
        var encoded = argv.Select(CopyToNative).ToArray();
        try
        {
            NativeMemory.Clear((void*)config, PyConfigBufferSize);
            _initPythonConfig(config);
            fixed (nint* pointers = encoded)
            {
                PyStatus status = _setBytesArgv(config, encoded.Length, (nint)pointers);
                if (status.IsException)
                {
                    return Fail(status);
                }
            }

            PyStatus started = _initializeFromConfig(config);
            return started.IsException ? Fail(started) : null;
        }
        finally
        {
            _configClear(config);
            Marshal.FreeHGlobal(config);
            foreach (nint pointer in encoded)
            {
                Marshal.FreeHGlobal(pointer);
            }
        }
    }

    /// <summary>Runs the program the command line named and finalises the interpreter (<c>atexit</c>,
    /// joining threads, flushing stdout), exactly as <c>python3</c> does after start-up.</summary>
    /// <returns>The exit code. After an uncaught <c>KeyboardInterrupt</c> CPython kills the process with
    /// SIGINT instead of returning, as python3 does.</returns>
    public int RunMain() => _runMain();

    private int Fail(PyStatus status)
    {
        if (status.IsExit)
        {
            Native.fflush(0); // -V and -h print with C stdio
            return status.ExitCode;
        }

        // An error: CPython prints "Fatal Python error: ..." and exits as python3 would.
        _exitStatusException(status);
        return 1;
    }

    private static nint CopyToNative(byte[] text)
    {
        nint copy = Marshal.AllocHGlobal(text.Length + 1);
        Marshal.Copy(text, 0, copy, text.Length);
        Marshal.WriteByte(copy, text.Length, 0);
        return copy;
    }

    private static nint Export(nint handle, string name) => Native.dlsym(handle, name);

    private static Version? ParseVersion(string number)
    {
        // "3.11.2", "3.13.0rc1", "3.12.1+": major.minor.micro digits only.
        var parts = number.Split('.');
        if (parts.Length < 2 || !int.TryParse(parts[0], out int major) || !int.TryParse(parts[1], out int minor))
        {
            return null;
        }

        int micro = parts.Length > 2 ? int.Parse("0" + new string(parts[2].TakeWhile(char.IsAsciiDigit).ToArray())) : 0;
        return new Version(major, minor, micro);
    }
}
