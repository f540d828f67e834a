namespace RnnPort.PythonHost;

/// <summary>The host could not start Python (no libpython, not a libpython, an unsupported
/// version); reported as one line on stderr with exit code 2.</summary>
internal sealed class HostStartupException(string message) : Exception(message);
