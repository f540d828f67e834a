namespace RnnPort;

/// <summary>
/// An argument holds NaN or ±Infinity where only finite values are allowed (weights, initial
/// state and inputs). NumPy twin: <c>ValueError</c> from <c>rnnport</c>; the bridge rebuilds the
/// message in NumPy coordinates from <see cref="Row"/> and <see cref="Column"/>.
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
        Row = row;
        Column = column;
        Value = value;
    }

    /// <summary>
    /// Creates the exception for element (<paramref name="sequence"/>, <paramref name="row"/>, <paramref name="column"/>)
    /// of a B×T×I batch (<c>ForwardBatch</c>), named as NumPy names it in the (B, T, I) twin array.
    /// </summary>
    /// <param name="paramName">The argument's name.</param>
    /// <param name="sequence">The sequence b of the first non-finite element.</param>
    /// <param name="row">Its timestep t.</param>
    /// <param name="column">Its column i.</param>
    /// <param name="value">The offending value.</param>
    public NonFiniteValueException(string paramName, int sequence, int row, int column, double value)
        : base($"{paramName} must be finite, but element ({sequence}, {row}, {column}) is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", paramName)
    {
        Sequence = sequence;
        Row = row;
        Column = column;
        Value = value;
    }

    /// <summary>The sequence of the first non-finite element of a batch; null for a matrix argument.</summary>
    public int? Sequence { get; }

    /// <summary>The row of the first non-finite element.</summary>
    public int Row { get; }

    /// <summary>The column of the first non-finite element.</summary>
    public int Column { get; }

    /// <summary>The offending value: NaN, +Infinity or −Infinity.</summary>
    public double Value { get; }
}
