namespace RnnPort;

/// <summary>
/// A file is not a valid rnnport model file: not a zip archive, a missing entry, a wrong dtype or
/// shape, a non-finite weight, bad metadata JSON, an unknown format or version, a vocabulary that
/// does not fit the model, or an entry too large to be plausible. The message says which.
/// NumPy twin: <c>rnnport.io.model_file_error.ModelFileError</c> (a <c>ValueError</c>).
/// </summary>
/// <remarks>
/// An <see cref="IOException"/>, so that one <c>catch (IOException)</c> handles a missing file
/// (<see cref="FileNotFoundException"/>) and a bad one alike. (<see cref="InvalidDataException"/>, the
/// BCL's "stream in an invalid format", is sealed and cannot be the base.)
/// </remarks>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the file.</param>
    public ModelFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that revealed the problem.</summary>
    /// <param name="message">What is wrong with the file.</param>
    /// <param name="innerException">The underlying error (a zip, I/O, JSON or model error).</param>
    public ModelFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
