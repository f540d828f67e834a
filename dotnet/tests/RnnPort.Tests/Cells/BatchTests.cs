using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// <c>ForwardBatch</c> of the three cells: every sequence bit for bit its own <c>Forward</c> from the same state
/// (blocks of 8 rows and their remainder, 8-column panels and their remainder, the split over the cores), the
/// state unchanged, the empty batches and the refusals. NumPy against C#: parity_tests/test_batch_parity.py.
/// </summary>
public sealed class BatchTests
{
    private static RNN Rnn(int inputs, int hidden, int outputs, int seed) => new(
        Build.Random(inputs, hidden, seed, 0.8), Build.Random(hidden, hidden, seed + 1, 0.8), Build.Random(hidden, outputs, seed + 2),
        Build.Random(1, hidden, seed + 3, 0.9), Activation.Tanh, Build.Random(1, hidden, seed + 4), Build.Random(1, outputs, seed + 5));

    private static LSTM Lstm(int inputs, int hidden, int outputs, int seed) => new(
        Build.Random(inputs, 4 * hidden, seed, 0.8), Build.Random(hidden, 4 * hidden, seed + 1, 0.8), Build.Random(hidden, outputs, seed + 2),
        Build.Random(1, hidden, seed + 3, 0.9), Build.Random(1, hidden, seed + 4, 0.9), Build.Random(1, 4 * hidden, seed + 5),
        Build.Random(1, 4 * hidden, seed + 6), Build.Random(1, outputs, seed + 7));

    /// <summary>B×T×I inputs, seeded.</summary>
    private static double[,,] Inputs(int batch, int steps, int inputs, int seed)
    {
        var random = new Random(seed);
        var xs = new double[batch, steps, inputs];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < inputs; i++)
                {
                    xs[b, t, i] = random.NextDouble() * 2 - 1;
                }
            }
        }

        return xs;
    }

    private static Matrix<double> Sequence(double[,,] xs, int b) =>
        Matrix<double>.Build.Dense(xs.GetLength(1), xs.GetLength(2), (t, i) => xs[b, t, i]);

    /// <summary>Asserts that row b of the batch result equals the T×n matrix bit for bit.</summary>
    private static void SameBits(double[,,] batch, int b, Matrix<double> single)
    {
        Assert.Equal(single.RowCount, batch.GetLength(1));
        Assert.Equal(single.ColumnCount, batch.GetLength(2));
        for (int t = 0; t < single.RowCount; t++)
        {
            for (int j = 0; j < single.ColumnCount; j++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(single[t, j]), BitConverter.DoubleToInt64Bits(batch[b, t, j]));
            }
        }
    }

    // (B, T, I, H, O): remainders of rows and columns, B = 1, H = 1, full panels, and one large enough to split over the cores.
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 11, 6, 3, 13, 4 }, { 1, 4, 2, 7, 3 }, { 3, 3, 1, 1, 1 }, { 8, 5, 4, 16, 5 }, { 40, 60, 8, 48, 8 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RnnBatchIsEachSequencesForwardBitForBit(int batch, int steps, int inputs, int hidden, int outputs)
    {
        RNN model = Rnn(inputs, hidden, outputs, seed: batch + hidden);
        model.State = Build.Random(1, hidden, 99, 0.9);  // from the current state, not the initial one
        Matrix<double> before = model.State;
        double[,,] xs = Inputs(batch, steps, inputs, seed: steps);
        BatchResult result = model.ForwardBatch(xs);
        Assert.Null(result.CellStates);
        Assert.Equal(before, model.State);
        for (int b = 0; b < batch; b++)
        {
            model.State = before;
            (Matrix<double> ys, Matrix<double> hs) = model.Forward(Sequence(xs, b));
            SameBits(result.Outputs, b, ys);
            SameBits(result.States, b, hs);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LstmBatchIsEachSequencesForwardBitForBit(int batch, int steps, int inputs, int hidden, int outputs)
    {
        LSTM model = Lstm(inputs, hidden, outputs, seed: batch + hidden);
        Matrix<double> h = model.State, c = model.CellState;
        double[,,] xs = Inputs(batch, steps, inputs, seed: steps);
        BatchResult result = model.ForwardBatch(xs);
        Assert.Equal(h, model.State);
        Assert.Equal(c, model.CellState);
        for (int b = 0; b < batch; b++)
        {
            model.Reset();
            (Matrix<double> ys, Matrix<double> hs, Matrix<double> cs) = model.Forward(Sequence(xs, b));
            SameBits(result.Outputs, b, ys);
            SameBits(result.States, b, hs);
            SameBits(result.CellStates!, b, cs);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GruBatchIsEachSequencesForwardBitForBit(int batch, int steps, int inputs, int hidden, int outputs)
    {
        GRU model = GruTests.Network(inputs, hidden, outputs, seed: batch + hidden);
        double[,,] xs = Inputs(batch, steps, inputs, seed: steps);
        BatchResult result = model.ForwardBatch(xs);
        for (int b = 0; b < batch; b++)
        {
            model.Reset();
            (Matrix<double> ys, Matrix<double> hs) = model.Forward(Sequence(xs, b));
            SameBits(result.Outputs, b, ys);
            SameBits(result.States, b, hs);
        }
    }

    [Fact]
    public void TheBitComparisonCanFail()
    {
        // Negative control: the opt-in SIMD kernel sums in another order, so its Forward differs from the batch somewhere.
        RNN model = Rnn(8, 64, 8, seed: 3);
        double[,,] xs = Inputs(2, 20, 8, seed: 4);
        BatchResult result = model.ForwardBatch(xs);
        model.Kernel = Kernel.Simd;
        (Matrix<double> ys, _) = model.Forward(Sequence(xs, 0));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SameBits(result.Outputs, 0, ys));
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(3, 0)]
    public void EmptyBatchesGiveEmptyResults(int batch, int steps)
    {
        BatchResult result = Lstm(3, 4, 2, seed: 1).ForwardBatch(new double[batch, steps, 3]);
        Assert.Equal(new[] { batch, steps, 2 }, new[] { result.Outputs.GetLength(0), result.Outputs.GetLength(1), result.Outputs.GetLength(2) });
        Assert.Equal(batch * steps * 4, result.CellStates!.Length);
    }

    [Fact]
    public void BadBatchesAreRefusedWithTheModelUnchanged()
    {
        GRU model = GruTests.Network(3, 4, 2, seed: 1);
        Matrix<double> before = model.State;
        Assert.Equal("inputs", Assert.Throws<ArgumentNullException>(() => model.ForwardBatch(null!)).ParamName);
        ShapeMismatchException shape = Assert.Throws<ShapeMismatchException>(() => model.ForwardBatch(new double[2, 3, 4]));
        Assert.StartsWith("inputs has shape 2×3×4, expected B×T×3", shape.Message, StringComparison.Ordinal);
        var xs = new double[3, 4, 3];
        xs[2, 1, 0] = double.PositiveInfinity;
        xs[1, 3, 2] = double.NaN;
        NonFiniteValueException bad = Assert.Throws<NonFiniteValueException>(() => model.ForwardBatch(xs));
        Assert.StartsWith("inputs must be finite, but element (1, 3, 2) is NaN", bad.Message, StringComparison.Ordinal);
        Assert.Equal(1, bad.Sequence);
        Assert.Equal(before, model.State);
    }

    [Fact]
    public void ANonFiniteResultNamesTheFirstSequenceThenStep()
    {
        var model = new RNN(Matrix<double>.Build.Dense(1, 1, 1e308), Matrix<double>.Build.Dense(1, 1, 0.0),
                            Matrix<double>.Build.Dense(1, 1, 1.0), activation: Activation.Relu);
        var xs = new double[3, 4, 1];
        for (int b = 0; b < 3; b++)
        {
            for (int t = 0; t < 4; t++)
            {
                xs[b, t, 0] = 1.0;
            }
        }

        xs[1, 2, 0] = 10.0;
        xs[2, 3, 0] = 10.0;
        NonFiniteResultException error = Assert.Throws<NonFiniteResultException>(() => model.ForwardBatch(xs));
        Assert.Equal("forward_batch: sequence 1: the state at step 2 is not finite (element 0 is inf)", error.Message);
        Assert.Equal(0.0, model.State[0, 0]);
    }
}
