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

    /// <summary>The row of the first non-finite element.</summary>
    public int Row { get; }

    /// <summary>The column of the first non-finite element.</summary>
    public int Column { get; }

    /// <summary>The offending value: NaN, +Infinity or −Infinity.</summary>
    public double Value { get; }
}
