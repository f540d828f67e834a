using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>Up-front argument checks, run before any state changes (the Math.NET habit).</summary>
internal static class Guard
{
    /// <summary>Formats a shape the way every message in this library does: <c>rows×columns</c>.</summary>
    internal static string Shape(int rows, int columns) => $"{Number(rows)}×{Number(columns)}";

    /// <summary>An integer as messages print it, whatever the current culture.</summary>
    internal static string Number(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string Shape(Matrix<double> m) => Shape(m.RowCount, m.ColumnCount);

    internal static Matrix<double> NotNull(Matrix<double>? m, string name) =>
        m ?? throw new ArgumentNullException(name, $"{name} must be a matrix, not null");

    /// <summary>
    /// Checks <paramref name="m"/> is rows×columns; a negative row count means any count, called
    /// <paramref name="freeRows"/> in the message (<c>T</c> for a sequence, <c>I</c> for the input weights).
    /// </summary>
    internal static void HasShape(Matrix<double>? m, int rows, int columns, string name, string freeRows = "T")
    {
        NotNull(m, name);
        bool rowsOk = rows < 0 || m!.RowCount == rows;
        bool columnsOk = m!.ColumnCount == columns;
        if (!rowsOk || !columnsOk)
        {
            throw new ShapeMismatchException(name, rows < 0 ? null : rows, freeRows, columns, m.RowCount, m.ColumnCount);
        }
    }

    /// <summary>
    /// Checks every element of a matrix whose NumPy twin is its transpose (weights) is finite, and
    /// reports the first offender in column-major order: column by column, row by row within a
    /// column. That is the twin's C (row-major) order, so both languages name the same element.
    /// </summary>
    internal static void IsFinite(Matrix<double> m, string name)
    {
        for (int c = 0; c < m.ColumnCount; c++)
        {
            for (int r = 0; r < m.RowCount; r++)
            {
                double v = m.At(r, c);
                if (!double.IsFinite(v))
                {
                    throw new NonFiniteValueException(name, r, c, v);
                }
            }
        }
    }

    /// <summary>
    /// Checks every element of a matrix whose NumPy twin has the same layout (a T×I sequence, NumPy's
    /// (T, I) <c>xs</c>) is finite, and reports the first offender in row-major order: row by row,
    /// column by column within a row, which is again the twin's C order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void IsFiniteByRows(Matrix<double> m, string name)
    {
        // The common case first, vectorised over the dense storage (a 1000×64 sequence: 64,000 values a call);
        // only a matrix that holds a non-finite value is searched element by element, in the twin's order.
        if (m.AsColumnMajorArray() is { } data)
        {
            Lanes screen = Lanes.Zero;
            FiniteResults.Screen(data, ref screen);
            if (FiniteResults.Passed(screen))
            {
                return;
            }
        }

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
