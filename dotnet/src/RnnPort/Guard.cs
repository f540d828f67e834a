using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>Up-front argument checks, run before any state changes (the Math.NET habit).</summary>
internal static class Guard
{
    /// <summary>Formats a shape the way every message in this library does: <c>rows×columns</c>.</summary>
    internal static string Shape(int rows, int columns) => $"{rows}×{columns}";

    internal static string Shape(Matrix<double> m) => Shape(m.RowCount, m.ColumnCount);

    internal static Matrix<double> NotNull(Matrix<double>? m, string name) =>
        m ?? throw new ArgumentNullException(name, $"{name} must be a matrix, not null");

    /// <summary>Checks <paramref name="m"/> is rows×columns; a negative row count means "any T".</summary>
    internal static void HasShape(Matrix<double>? m, int rows, int columns, string name)
    {
        NotNull(m, name);
        bool rowsOk = rows < 0 || m!.RowCount == rows;
        bool columnsOk = m!.ColumnCount == columns;
        if (!rowsOk || !columnsOk)
        {
            string expected = $"{(rows < 0 ? "T" : rows.ToString(System.Globalization.CultureInfo.InvariantCulture))}×{columns}";
            throw new ShapeMismatchException(name, expected, Shape(m!));
        }
    }

    internal static void IsFinite(Matrix<double> m, string name)
    {
        // Column-major walk over the dense storage: the order does not matter for a yes/no answer,
        // but reporting the first offender in (row, column) order matches the NumPy side's message.
        for (int r = 0; r < m.RowCount; r++)
        {
            for (int c = 0; c < m.ColumnCount; c++)
            {
                double v = m.At(r, c);
                if (!double.IsFinite(v))
                {
                    throw new NonFiniteValueException(name, r, c, v);
                }
            }
        }
    }
}
