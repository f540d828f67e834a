using System.Runtime.InteropServices;

namespace RnnPort.PythonHost;

/// <summary>CPython's <c>PyStatus</c> (3.8+): what a start-up step returned — OK, an error
/// (<c>func</c>, <c>err_msg</c>) or a request to exit with <c>exitcode</c> (after <c>-V</c>, <c>-h</c>
/// or a usage error).</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct PyStatus
{
    private readonly int _type; // 0 OK, 1 error, 2 exit
    private readonly nint _func;
    private readonly nint _errMsg;
    private readonly int _exitCode;

    /// <summary>Not OK: <c>PyStatus_Exception</c>.</summary>
    public bool IsException => _type != 0;

    /// <summary>A request to exit: <c>PyStatus_IsExit</c>.</summary>
    public bool IsExit => _type == 2;

    /// <summary>The exit code of an exit request.</summary>
    public int ExitCode => _exitCode;
}
