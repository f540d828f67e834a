using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// <see cref="BatchBptt"/>: the loss and every gradient are the per-sequence results added b = 0 … B − 1 from +0.0,
/// bit for bit; the order shows in the bits (negative control); the refusals. NumPy against C#: test_batch_parity.py.
/// </summary>
public sealed class BatchBpttTests
{
    private static (double[,,] Inputs, int[,] Targets) Batch(int batch, int steps, int inputs, int classes, int seed)
    {
        var random = new Random(seed);
        var xs = new double[batch, steps, inputs];
        var targets = new int[batch, steps];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                targets[b, t] = random.Next(classes);
                for (int i = 0; i < inputs; i++)
                {
                    xs[b, t, i] = random.NextDouble() * 2 - 1;
                }
            }
        }

        return (xs, targets);
    }

    private static (Matrix<double> X, int[] T) Sequence(double[,,] xs, int[,] targets, int b) =>
        (Matrix<double>.Build.Dense(xs.GetLength(1), xs.GetLength(2), (t, i) => xs[b, t, i]),
         Enumerable.Range(0, xs.GetLength(1)).Select(t => targets[b, t]).ToArray());

    /// <summary>Σ over the given order of the GRU's per-sequence InputWeights gradients and losses, from +0.0.</summary>
    private static (double Loss, double[] Gradient) Summed(GRU model, double[,,] xs, int[,] targets, IEnumerable<int> order)
    {
        double loss = 0.0;
        double[]? sum = null;
        foreach (int b in order)
        {
            (Matrix<double> x, int[] t) = Sequence(xs, targets, b);
            GruBpttResult one = GruBptt.Run(model, x, t);
            loss += one.Loss;
            double[] g = one.Gradients.InputWeights.ToColumnMajorArray();
            sum ??= new double[g.Length];
            for (int n = 0; n < g.Length; n++)
            {
                sum[n] += g[n];
            }
        }

        return (loss, sum!);
    }

    [Fact]
    public void TheBatchIsTheOrderedSumOfItsSequencesBitForBit()
    {
        GRU model = GruTests.Network(3, 5, 4, seed: 21);
        (double[,,] xs, int[,] targets) = Batch(6, 7, 3, 4, seed: 22);
        Matrix<double> before = model.State;
        GruBpttResult result = BatchBptt.Run(model, xs, targets);
        (double loss, double[] gradient) = Summed(model, xs, targets, Enumerable.Range(0, 6));
        Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(result.Loss));
        Assert.Equal(gradient.Select(BitConverter.DoubleToInt64Bits), result.Gradients.InputWeights.ToColumnMajorArray().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(6, result.FinalState.RowCount);
        Assert.Equal(before, model.State);
    }

    [Fact]
    public void TheOrderShowsInTheBits()
    {
        // Negative control: the reverse order gives other bits somewhere, so the test above can fail.
        GRU model = GruTests.Network(3, 5, 4, seed: 21);
        (double[,,] xs, int[,] targets) = Batch(6, 7, 3, 4, seed: 22);
        GruBpttResult result = BatchBptt.Run(model, xs, targets);
        (double loss, double[] gradient) = Summed(model, xs, targets, Enumerable.Range(0, 6).Reverse());
        Assert.True(loss != result.Loss || !gradient.SequenceEqual(result.Gradients.InputWeights.ToColumnMajorArray()));
    }

    [Fact]
    public void BadBatchesAreRefused()
    {
        LSTM model = new(Build.Random(3, 8, 1), Build.Random(2, 8, 2), Build.Random(2, 4, 3));
        Assert.Throws<ArgumentException>(() => BatchBptt.Run(model, new double[0, 2, 3], new int[0, 2]));
        Assert.Throws<ShapeMismatchException>(() => BatchBptt.Run(model, new double[2, 2, 3], new int[2, 3]));
        Assert.Throws<ShapeMismatchException>(() => BatchBptt.Run(model, new double[2, 2, 4], new int[2, 2]));
        Assert.Throws<ArgumentNullException>(() => BatchBptt.Run(model, new double[2, 2, 3], null!));
    }
}
