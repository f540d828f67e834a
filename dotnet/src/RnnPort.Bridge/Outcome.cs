namespace RnnPort.Bridge;

/// <summary>
/// What a <see cref="Construct"/> call made: the new object, or the exception that refused it,
/// returned instead of thrown. The bridge's Python half raises the matching Python exception itself.
/// </summary>
/// <typeparam name="T">The type constructed.</typeparam>
/// <remarks>
/// Why not just throw: an exception thrown by a .NET constructor called from Python leaks about
/// 3.5 KB of native memory per call in pythonnet 3 (measured by <c>parity_tests/soak.py</c>); a
/// returned exception object crosses like any other object and is collected.
/// </remarks>
public sealed class Outcome<T>
    where T : class
{
    private Outcome(T? value, Exception? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The constructed object; null when <see cref="Error"/> is set.</summary>
    public T? Value { get; }

    /// <summary>The exception the constructor threw; null when <see cref="Value"/> is set.</summary>
    public Exception? Error { get; }

    /// <summary>Runs <paramref name="create"/>, capturing what it throws.</summary>
    /// <param name="create">The constructor call.</param>
    /// <returns>The outcome: the value or the error.</returns>
    internal static Outcome<T> Of(Func<T> create)
    {
        try
        {
            return new Outcome<T>(create(), null);
        }
#pragma warning disable CA1031 // every exception is handed back to the caller, none swallowed
        catch (Exception error)
#pragma warning restore CA1031
        {
            return new Outcome<T>(null, error);
        }
    }
}
