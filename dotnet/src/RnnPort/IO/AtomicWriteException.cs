namespace RnnPort;

/// <summary>
/// Writing a file through <see cref="AtomicFile"/> failed: the previous file, if any, is unchanged
/// and no temporary file is left. The message is one line naming the file and the reason.
/// NumPy twin: <c>rnnport.io.atomic.AtomicWriteError</c> (an <c>OSError</c>).
/// </summary>
/// <remarks>
/// An <see cref="IOException"/>, so that one <c>catch (IOException)</c> handles a full disk and a
/// missing directory alike; the <see cref="Exception.InnerException"/> is the error that caused it.
/// </remarks>
public sealed class AtomicWriteException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which file could not be written, and why.</param>
    public AtomicWriteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    /// <param name="message">Which file could not be written, and why.</param>
    /// <param name="innerException">The underlying error (I/O, permission, or whatever the writer threw).</param>
    public AtomicWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
