using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The column-major array of a matrix: element (r, c) at <c>r + c·rows</c>. For the transposed weights of
/// this library that order is the NumPy twin's C order, which is why kernels, optimisers and the model file
/// all work on it.
/// </summary>
internal static class ColumnMajor
{
    /// <summary>
    /// The live array behind a dense matrix (no copy): writing to it writes the matrix. For matrices this
    /// library made dense itself (parameters, gradients, results, optimiser memory).
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="m"/> is not dense.</exception>
    internal static double[] Storage(Matrix<double> m) =>
        m.AsColumnMajorArray() ?? throw new InvalidOperationException("expected a dense matrix");

    /// <summary>
    /// The values of any matrix, for reading only: the array behind it when it is dense (no copy), otherwise a
    /// column-major copy. The caller must not write to the result.
    /// </summary>
    internal static double[] ReadOnly(Matrix<double> m) => m.AsColumnMajorArray() ?? m.ToColumnMajorArray();

    /// <summary>
    /// A dense rows×columns matrix whose values are not zeroed first, for results every element of which is
    /// then written: a 1000-step result at H = 256 is 2 MB, and zeroing it cost a tenth of a forward pass.
    /// </summary>
    internal static Matrix<double> Unfilled(int rows, int columns) =>
        Matrix<double>.Build.Dense(rows, columns, GC.AllocateUninitializedArray<double>(rows * columns));

    /// <summary>Copies row <paramref name="row"/> of a column-major matrix with <paramref name="rows"/> rows into <paramref name="into"/> (one value per column).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ReadRow(double[] data, int rows, int row, Span<double> into)
    {
        for (int c = 0; c < into.Length; c++)
        {
            into[c] = data[row + c * rows];
        }
    }

    /// <summary>Writes <paramref name="values"/> (one per column) into row <paramref name="row"/> of a column-major matrix with <paramref name="rows"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteRow(double[] data, int rows, int row, ReadOnlySpan<double> values)
    {
        for (int c = 0; c < values.Length; c++)
        {
            data[row + c * rows] = values[c];
        }
    }

    /// <summary>
    /// Copies rows first … first + count − 1 of a column-major matrix with <paramref name="rows"/> rows into
    /// <paramref name="into"/>, row-major (count rows of into.Length / count values); column by column, so
    /// that each column's stretch is read contiguously.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ReadRows(double[] data, int rows, int first, int count, Span<double> into)
    {
        int columns = into.Length / count;
        for (int c = 0; c < columns; c++)
        {
            ReadOnlySpan<double> column = data.AsSpan(first + (c * rows), count);
            for (int r = 0; r < count; r++)
            {
                into[(r * columns) + c] = column[r];
            }
        }
    }

    /// <summary>Writes <paramref name="values"/> (count rows, row-major) into rows first … first + count − 1 of a column-major matrix with <paramref name="rows"/> rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WriteRows(double[] data, int rows, int first, int count, ReadOnlySpan<double> values)
    {
        int columns = values.Length / count;
        for (int c = 0; c < columns; c++)
        {
            Span<double> column = data.AsSpan(first + (c * rows), count);
            for (int r = 0; r < count; r++)
            {
                column[r] = values[(r * columns) + c];
            }
        }
    }
}
