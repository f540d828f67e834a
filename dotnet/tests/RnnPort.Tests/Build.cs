using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>Small builders shared by the tests: dense matrices from row literals and seeded random weights.</summary>
internal static class Build
{
    internal static Matrix<double> Rows(params double[][] rows) => Matrix<double>.Build.DenseOfRowArrays(rows);

    internal static Matrix<double> Row(params double[] values) => Matrix<double>.Build.DenseOfRowArrays(values);

    internal static Matrix<double> Random(int rows, int columns, int seed, double scale = 0.5)
    {
        var random = new Random(seed);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => scale * (2.0 * random.NextDouble() - 1.0));
    }

    /// <summary>A seeded RNN with I inputs, H hidden units and O outputs.</summary>
    internal static RNN Network(int inputs, int hidden, int outputs, int seed, Activation activation = Activation.Tanh, bool nonZeroInitialState = false) =>
        new(
            Random(inputs, hidden, seed),
            Random(hidden, hidden, seed + 1),
            Random(hidden, outputs, seed + 2),
            nonZeroInitialState ? Random(1, hidden, seed + 3) : null,
            activation);

    /// <summary>True when both matrices have the same shape and the same 64-bit pattern in every element.</summary>
    internal static void AssertBitIdentical(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        for (int r = 0; r < expected.RowCount; r++)
        {
            for (int c = 0; c < expected.ColumnCount; c++)
            {
                long e = BitConverter.DoubleToInt64Bits(expected[r, c]);
                long a = BitConverter.DoubleToInt64Bits(actual[r, c]);
                Assert.True(e == a, $"element ({r}, {c}): expected {expected[r, c]:R}, got {actual[r, c]:R}");
            }
        }
    }
}
