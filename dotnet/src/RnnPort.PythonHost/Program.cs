using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Python.Runtime;

namespace RnnPort.PythonHost;

/// <summary>
/// <c>rnnport-pyhost ARGS</c> behaves like <c>python3 ARGS</c> with .NET already loaded. It starts
/// libpython the way python3's own <c>main</c> does — CPython parses the whole command line
/// (<c>PyConfig</c> with <c>parse_argv</c>) and <c>Py_RunMain</c> runs the program, the REPL or
/// stdin, then finalises (threads joined, <c>atexit</c>, exit codes, SIGINT) — and attaches
/// pythonnet to that interpreter in between, so <c>import clr</c> works without the PyPI package.
/// This is not how pythonnet tests itself: its embedded runner (<c>src/python_tests_runner</c>) runs only the
/// few Python tests listed in it, to debug them; its main Python suite runs under pytest in a plain python with
/// pythonnet loaded, as <c>pytest parity_tests</c> does here with PyPI's pythonnet.
/// </summary>
public static class Program
{
    /// <summary>Debian's libpython, used when <c>PYTHONNET_PYDLL</c> is not set.</summary>
    public const string DefaultPythonLibrary = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

    /// <summary>Set by <c>dotnet/pyhost</c> to the name it was called by (its <c>$0</c>), which
    /// becomes <c>argv[0]</c>: the program name in python's usage and error messages.</summary>
    public const string ProgramNameVariable = "RNNPORT_PYHOST_ARGV0";

    /// <summary>The oldest Python with the start-up API python3's <c>main</c> uses (PyConfig, Py_RunMain).</summary>
    private static readonly Version OldestWithConfigApi = new(3, 8);

    /// <summary>Runs the Python command line <paramref name="args"/>.</summary>
    /// <param name="args">Whatever <c>python3</c> takes: options, then <c>-c CODE</c>, <c>-m MODULE</c>,
    /// <c>SCRIPT</c> or <c>-</c>, then the program's arguments.</param>
    /// <returns>The exit code python3 would return; 2 when libpython cannot be used.</returns>
    public static int Main(string[] args)
    {
        string library = Environment.GetEnvironmentVariable("PYTHONNET_PYDLL") is { Length: > 0 } set ? set : DefaultPythonLibrary;
        string programName = Environment.GetEnvironmentVariable(ProgramNameVariable) is { Length: > 0 } name ? name : "rnnport-pyhost";
        Native.unsetenv(ProgramNameVariable); // not inherited by the program's own children

        LibPython python;
        try
        {
            Version oldest = PythonEngine.MinSupportedVersion > OldestWithConfigApi ? PythonEngine.MinSupportedVersion : OldestWithConfigApi;
            python = LibPython.Open(library, oldest, PythonEngine.MaxSupportedVersion);
        }
        catch (HostStartupException error)
        {
            Console.Error.WriteLine($"rnnport-pyhost: {error.Message}");
            return 2;
        }

        if (python.Initialize([Encoding.UTF8.GetBytes(programName), .. RawArguments.Of(args)]) is int exitCode)
        {
            return exitCode;
        }

        try
        {
            AttachPythonNet(library);
        }
        catch (Exception error) when (error is InvalidOperationException or PythonException)
        {
            Console.Error.WriteLine($"rnnport-pyhost: pythonnet could not attach to Python {python.Version}: {error.Message.ReplaceLineEndings(" ")}");
            return 2;
        }

        int code = python.RunMain();
        Native.fflush(0);
        return code;
    }

    /// <summary>Starts pythonnet inside the running interpreter, as <c>import clr</c> from PyPI's
    /// pythonnet does, and prepares what python3 would have: its SIGINT handler and an
    /// <c>atexit</c> hook that shuts pythonnet down while Python is still alive.</summary>
    private static unsafe void AttachPythonNet(string library)
    {
        Runtime.PythonDLL = library;
#pragma warning disable CS0618 // InitExt is pythonnet's entry point for an interpreter that is already running
        nint clrModule = PythonEngine.InitExt();
#pragma warning restore CS0618
        if (clrModule == 0)
        {
            throw new InvalidOperationException("pythonnet failed to start in the running interpreter");
        }

        // The main thread holds the GIL from Py_InitializeFromConfig until Py_RunMain returns.
        using PyModule driver = PyModule.FromString("rnnport_pyhost_driver", ReadDriver());
        using var assemblyDir = new PyString(AppContext.BaseDirectory);
        using var shutdown = new PyInt((long)(delegate* unmanaged<int>)&ShutdownPythonNet);
        driver.InvokeMethod("setup", assemblyDir, shutdown).Dispose();
    }

    /// <summary>Called by Python's <c>atexit</c> (registered first, so it runs last): pythonnet's
    /// shutdown needs a live interpreter, and .NET's ProcessExit comes after Py_RunMain finalised it.</summary>
    [UnmanagedCallersOnly]
    private static int ShutdownPythonNet()
    {
        try
        {
            PythonEngine.Shutdown();
            return 0;
        }
        catch (Exception error)
        {
            Console.Error.WriteLine($"rnnport-pyhost: pythonnet shutdown failed: {error.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static string ReadDriver()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("driver.py")
            ?? throw new InvalidOperationException("driver.py is not embedded in the host");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
