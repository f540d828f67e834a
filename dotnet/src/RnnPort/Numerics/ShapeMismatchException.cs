namespace RnnPort;

/// <summary>
/// An argument has the wrong shape. The message names the expected and the actual shape, in the
/// row convention of this library (rows×columns). NumPy twin: <c>ValueError</c> from <c>rnnport</c>;
/// the bridge <c>rnnport.dotnet</c> re-raises this exception as <c>ValueError</c>, rebuilding the
/// message in NumPy layout from <see cref="ExpectedRows"/>, <see cref="ExpectedColumns"/>,
/// <see cref="ActualRows"/> and <see cref="ActualColumns"/> when they are set.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception for argument <paramref name="paramName"/> from formatted shapes.</summary>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="expected">The expected shape, for example <c>1×4</c>.</param>
    /// <param name="actual">The shape that was given.</param>
    public ShapeMismatchException(string paramName, string expected, string actual)
        : base($"{paramName} has shape {actual}, expected {expected}", paramName)
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception for a matrix argument, keeping the sizes as numbers.</summary>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="expectedRows">The expected row count, or null when any count is allowed.</param>
    /// <param name="freeRowsLabel">What the rows are called when any count is allowed (<c>T</c> for a sequence, <c>I</c> for the input weights).</param>
    /// <param name="expectedColumns">The expected column count.</param>
    /// <param name="actualRows">The row count given.</param>
    /// <param name="actualColumns">The column count given.</param>
    public ShapeMismatchException(string paramName, int? expectedRows, string freeRowsLabel, int expectedColumns, int actualRows, int actualColumns)
        : this(paramName, $"{(expectedRows is int rows ? Guard.Number(rows) : freeRowsLabel)}×{Guard.Number(expectedColumns)}", Guard.Shape(actualRows, actualColumns))
    {
        ExpectedRows = expectedRows;
        FreeRowsLabel = freeRowsLabel;
        ExpectedColumns = expectedColumns;
        ActualRows = actualRows;
        ActualColumns = actualColumns;
    }

    /// <summary>The expected shape, for example <c>1×4</c> or <c>T×4</c>.</summary>
    public string Expected { get; }

    /// <summary>The shape that was given.</summary>
    public string Actual { get; }

    /// <summary>The expected row count; null when any count is allowed or when the shape is not a matrix's.</summary>
    public int? ExpectedRows { get; }

    /// <summary>The label of a free row count (<c>T</c>, <c>I</c>); null when the shape is not a matrix's.</summary>
    public string? FreeRowsLabel { get; }

    /// <summary>The expected column count; null when the shape is not a matrix's.</summary>
    public int? ExpectedColumns { get; }

    /// <summary>The row count given; null when the shape is not a matrix's.</summary>
    public int? ActualRows { get; }

    /// <summary>The column count given; null when the shape is not a matrix's.</summary>
    public int? ActualColumns { get; }
}
