using System.Reflection;
using Python.Runtime;

namespace RnnPort.PythonHost;

/// <summary>
/// <c>rnnport-pyhost ARGS</c> behaves like <c>python ARGS</c> with .NET already loaded: it starts
/// CPython inside this .NET process through pythonnet, so <c>import clr</c> works without the PyPI
/// package, then runs <c>-m MODULE</c>, <c>-c CODE</c> or a script and returns its exit code.
/// This is how pythonnet's own repository runs its Python tests (<c>src/python_tests_runner</c>).
/// </summary>
public static class Program
{
    /// <summary>Debian's libpython, used when <c>PYTHONNET_PYDLL</c> is not set.</summary>
    public const string DefaultPythonLibrary = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

    /// <summary>Runs the Python command line <paramref name="args"/>.</summary>
    /// <param name="args">What <c>python</c> would take: <c>-m MODULE …</c>, <c>-c CODE …</c> or <c>SCRIPT …</c>.</param>
    /// <returns>The Python program's exit code; 2 for a usage error or a missing libpython.</returns>
    public static int Main(string[] args)
    {
        string library = Environment.GetEnvironmentVariable("PYTHONNET_PYDLL") is { Length: > 0 } set ? set : DefaultPythonLibrary;
        if (!File.Exists(library))
        {
            Console.Error.WriteLine(
                $"rnnport-pyhost: libpython not found at {library}. Install Debian's libpython3.11 " +
                "(apt-get install -y libpython3.11) or set PYTHONNET_PYDLL to the path of a libpython3.x shared library.");
            return 2;
        }

        Runtime.PythonDLL = library;
        PythonEngine.Initialize();
        int code;
        using (Py.GIL())
        {
            using PyModule driver = PyModule.FromString("rnnport_pyhost_driver", ReadDriver());
            using var argv = new PyList(args.Select(a => (PyObject)new PyString(a)).ToArray());
            using var assemblyDir = new PyString(AppContext.BaseDirectory);
            using PyObject result = driver.InvokeMethod("main", argv, assemblyDir);
            code = result.As<int>();
        }

        // pythonnet 3.2 no longer stashes state through BinaryFormatter on .NET Core, so a plain
        // Shutdown runs Python's finalisers and returns; this is tested by every `make test`.
        PythonEngine.Shutdown();
        return code;
    }

    private static string ReadDriver()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("driver.py")
            ?? throw new InvalidOperationException("driver.py is not embedded in the host");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
