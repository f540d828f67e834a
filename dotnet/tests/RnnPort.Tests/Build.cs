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

    /// <summary>A seeded RNN with I inputs, H hidden units and O outputs; both biases on when <paramref name="biases"/>.</summary>
    internal static RNN Network(
        int inputs, int hidden, int outputs, int seed, Activation activation = Activation.Tanh, bool nonZeroInitialState = false, bool biases = false) =>
        new(
            Random(inputs, hidden, seed),
            Random(hidden, hidden, seed + 1),
            Random(hidden, outputs, seed + 2),
            nonZeroInitialState ? Random(1, hidden, seed + 3) : null,
            activation,
            biases ? Random(1, hidden, seed + 4) : null,
            biases ? Random(1, outputs, seed + 5) : null);

    /// <summary>Every parameter and the state of <paramref name="model"/>, copied, to compare before and after a call.</summary>
    internal static Matrix<double>[] Snapshot(RNN model) =>
        new[] { model.InputWeights, model.RecurrentWeights, model.OutputWeights, model.HiddenBias, model.OutputBias, model.State, model.InitialState }
            .Where(m => m is not null)
            .Select(m => m!)
            .ToArray();

    /// <summary>True when <paramref name="model"/>'s parameters and state are bit for bit the <paramref name="snapshot"/>.</summary>
    internal static void AssertUnchanged(Matrix<double>[] snapshot, RNN model)
    {
        Matrix<double>[] now = Snapshot(model);
        Assert.Equal(snapshot.Length, now.Length);
        for (int i = 0; i < now.Length; i++)
        {
            AssertBitIdentical(snapshot[i], now[i]);
        }
    }

    /// <summary>Seeded class indices in [0, classes).</summary>
    internal static int[] Targets(int steps, int classes, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, steps).Select(_ => random.Next(classes)).ToArray();
    }

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
