namespace RnnPort;

/// <summary>
/// An argument has the wrong shape. The message names the expected and the actual shape, in the
/// row convention of this library (rows×columns). NumPy twin: <c>ValueError</c> from <c>rnnport</c>;
/// the bridge <c>rnnport.dotnet</c> re-raises this exception as <c>ValueError</c>.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception for argument <paramref name="paramName"/>.</summary>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="expected">The expected shape, for example <c>1×4</c>.</param>
    /// <param name="actual">The shape that was given.</param>
    public ShapeMismatchException(string paramName, string expected, string actual)
        : base($"{paramName} has shape {actual}, expected {expected}", paramName)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The expected shape, for example <c>1×4</c> or <c>T×4</c>.</summary>
    public string Expected { get; }

    /// <summary>The shape that was given.</summary>
    public string Actual { get; }
}

/// <summary>
/// An argument holds NaN or ±Infinity where only finite values are allowed (weights, initial
/// state and inputs). NumPy twin: <c>ValueError</c> from <c>rnnport</c>.
/// </summary>
public sealed class NonFiniteValueException : ArgumentException
{
    /// <summary>Creates the exception for the element at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="row">The row of the first non-finite element.</param>
    /// <param name="column">The column of the first non-finite element.</param>
    /// <param name="value">The offending value.</param>
    public NonFiniteValueException(string paramName, int row, int column, double value)
        : base($"{paramName} must be finite, but element ({row}, {column}) is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", paramName)
    {
    }
}
