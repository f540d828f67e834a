using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// The C# LSTM alone: against the spec written with MathNet's operators (docs/exact-mode.md, "LSTM"), bit for
/// bit; a hand-worked step; state handling; rejections; no allocation per timestep in Forward.
/// </summary>
public sealed class LstmTests
{
    private static Matrix<double> Random(int rows, int columns, Random random, double scale = 1.0) =>
        Matrix<double>.Build.Dense(rows, columns, (_, _) => scale * (2.0 * random.NextDouble() - 1.0));

    private sealed record Case(Matrix<double> In, Matrix<double> Rec, Matrix<double> Out, Matrix<double>? H0, Matrix<double>? C0,
                               Matrix<double>? BIh, Matrix<double>? BHh, Matrix<double>? BY, Matrix<double> Xs)
    {
        public LSTM Model() => new(In, Rec, Out, H0, C0, BIh, BHh, BY);
    }

    private static Case MakeCase(int inputs, int hidden, int outputs, int steps, int seed, bool biases)
    {
        var r = new Random(seed);
        return new Case(
            Random(inputs, 4 * hidden, r), Random(hidden, 4 * hidden, r), Random(hidden, outputs, r),
            Random(1, hidden, r), Random(1, hidden, r, 2.0),
            biases ? Random(1, 4 * hidden, r) : null, biases ? Random(1, 4 * hidden, r) : null, biases ? Random(1, outputs, r) : null,
            Random(steps, inputs, r, 2.0));
    }

    private static double Sigma(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>The spec with MathNet's operators (managed provider: k ascending from +0.0), one step.</summary>
    private static (Matrix<double> Y, Matrix<double> H, Matrix<double> C) Reference(Case k, Matrix<double> x, Matrix<double> h, Matrix<double> c)
    {
        Matrix<double> gi = x.Multiply(k.In);
        if (k.BIh is not null)
        {
            gi += k.BIh;
        }

        Matrix<double> gh = h.Multiply(k.Rec);
        if (k.BHh is not null)
        {
            gh += k.BHh;
        }

        Matrix<double> a = gi + gh;
        int n = h.ColumnCount;
        Matrix<double> i = a.SubMatrix(0, 1, 0, n).Map(Sigma), f = a.SubMatrix(0, 1, n, n).Map(Sigma);
        Matrix<double> g = a.SubMatrix(0, 1, 2 * n, n).PointwiseTanh(), o = a.SubMatrix(0, 1, 3 * n, n).Map(Sigma);
        Matrix<double> cNext = f.PointwiseMultiply(c) + i.PointwiseMultiply(g);
        Matrix<double> hNext = o.PointwiseMultiply(cNext.PointwiseTanh());
        Matrix<double> y = hNext.Multiply(k.Out);
        if (k.BY is not null)
        {
            y += k.BY;
        }

        return (y, hNext, cNext);
    }

    private static void AssertBits(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        for (int r = 0; r < expected.RowCount; r++)
        {
            for (int c = 0; c < expected.ColumnCount; c++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected[r, c]), BitConverter.DoubleToInt64Bits(actual[r, c]));
            }
        }
    }

    public static TheoryData<int, int, int, int, bool> Shapes() => new()
    {
        { 1, 1, 1, 5, false }, { 1, 1, 1, 5, true }, { 3, 1, 2, 7, true }, { 1, 4, 1, 6, false }, { 5, 3, 7, 1, true },
        { 9, 33, 5, 4, true }, { 20, 64, 3, 3, false },
        // Blocks of 16 steps with a partial last block, and H large enough for the two-core split (GatedSteps):
        // H a multiple of the panel width, and not (each gate block's last panels narrower).
        { 8, 128, 3, 20, false }, { 16, 150, 5, 37, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardAndTimeStepAreTheSpecBitForBit(int inputs, int hidden, int outputs, int steps, bool biases)
    {
        Case k = MakeCase(inputs, hidden, outputs, steps, 10 * inputs + hidden, biases);
        (Matrix<double> ys, Matrix<double> hs, Matrix<double> cs) = k.Model().Forward(k.Xs);
        LSTM stepped = k.Model();
        Matrix<double> h = k.H0!, c = k.C0!;
        for (int t = 0; t < steps; t++)
        {
            Matrix<double> x = k.Xs.SubMatrix(t, 1, 0, inputs);
            (Matrix<double> y, h, c) = Reference(k, x, h, c);
            AssertBits(y, ys.SubMatrix(t, 1, 0, outputs));
            AssertBits(h, hs.SubMatrix(t, 1, 0, hidden));
            AssertBits(c, cs.SubMatrix(t, 1, 0, hidden));
            AssertBits(y, stepped.TimeStep(x));
            AssertBits(h, stepped.State);
            AssertBits(c, stepped.CellState);
        }
    }

    [Fact]
    public void TheSharedStepRefusesANextStateOverlappingTheState()
    {
        // Both cores read all of h while each writes its units of h' (GatedSteps): h' may not be h. A distinct
        // h' (the control) is accepted; the same array, or one overlapping it by a single element, is refused.
        var weights = new LayerWeights(Random(2, 8, new Random(1)), Random(2, 8, new Random(2)), null, null);
        double[] a = new double[8], recurrent = new double[8], c = new double[2], h = new double[3], next = new double[2];
        GatedSteps.Lstm(weights, a, h.AsSpan(0, 2), c, recurrent, next, c, false);
        Assert.Throws<ArgumentException>(() => GatedSteps.Lstm(weights, a, h.AsSpan(0, 2), c, recurrent, h.AsSpan(0, 2), c, false));
        Assert.Throws<ArgumentException>(() => GatedSteps.Lstm(weights, a, h.AsSpan(0, 2), c, recurrent, h.AsSpan(1, 2), c, false));
    }

    [Fact]
    public void SwappedGatesAreNotTheSpec()
    {
        // Negative control for the test above: the i and f column blocks exchanged in both weight matrices.
        Case k = MakeCase(3, 2, 2, 1, 5, false);
        Matrix<double> Swap(Matrix<double> w) => w.SubMatrix(0, w.RowCount, 2, 2).Append(w.SubMatrix(0, w.RowCount, 0, 2)).Append(w.SubMatrix(0, w.RowCount, 4, 4));
        var swapped = new LSTM(Swap(k.In), Swap(k.Rec), k.Out, k.H0, k.C0);
        Matrix<double> x = k.Xs.SubMatrix(0, 1, 0, 3);
        swapped.TimeStep(x);
        Assert.NotEqual(Reference(k, x, k.H0!, k.C0!).C[0, 0], swapped.CellState[0, 0]);
    }

    [Fact]
    public void HandWorkedStep()
    {
        // H = I = O = 1, every weight 1, h = c = 0, x = 1: a = 1 for all gates; c = σ(1)·tanh(1), h = σ(1)·tanh(c).
        var model = new LSTM(Matrix<double>.Build.Dense(1, 4, 1.0), Matrix<double>.Build.Dense(1, 4, 1.0), Matrix<double>.Build.Dense(1, 1, 1.0));
        Matrix<double> y = model.TimeStep(Matrix<double>.Build.Dense(1, 1, 1.0));
        double s = 1.0 / (1.0 + Math.Exp(-1.0));
        Assert.Equal(s * Math.Tanh(1.0), model.CellState[0, 0]);
        Assert.Equal(s * Math.Tanh(s * Math.Tanh(1.0)), model.State[0, 0]);
        Assert.Equal(model.State[0, 0], y[0, 0]);
    }

    [Fact]
    public void SigmoidSaturatesToExactZeroAndOne()
    {
        Assert.Equal(0.0, LSTM.LstmSigmoid(-1000.0));
        Assert.Equal(1.0, LSTM.LstmSigmoid(1000.0));
        Assert.Equal(0.5, LSTM.LstmSigmoid(0.0));
    }

    [Fact]
    public void ResetAndStatesAreCopies()
    {
        Case k = MakeCase(2, 3, 2, 4, 1, true);
        LSTM model = k.Model();
        model.Forward(k.Xs);
        Assert.NotEqual(k.H0![0, 0], model.State[0, 0]);
        model.State[0, 0] = double.NaN;
        model.CellState[0, 0] = double.NaN;
        Assert.True(double.IsFinite(model.State[0, 0]) && double.IsFinite(model.CellState[0, 0]));
        model.Reset();
        AssertBits(k.H0, model.State);
        AssertBits(k.C0!, model.CellState);
    }

    [Fact]
    public void RejectionsLeaveTheStateUnchanged()
    {
        Case k = MakeCase(2, 3, 2, 4, 2, true);
        LSTM model = k.Model();
        model.Forward(k.Xs);
        Matrix<double> h = model.State, c = model.CellState;
        Assert.Throws<ShapeMismatchException>(() => model.TimeStep(Matrix<double>.Build.Dense(1, 3)));
        Assert.Throws<NonFiniteValueException>(() => model.TimeStep(Matrix<double>.Build.Dense(1, 2, double.NaN)));
        Assert.Throws<ShapeMismatchException>(() => model.Forward(Matrix<double>.Build.Dense(4, 3)));
        Assert.Throws<ShapeMismatchException>(() => model.CellState = Matrix<double>.Build.Dense(1, 4));
        Assert.Throws<NonFiniteValueException>(() => model.State = Matrix<double>.Build.Dense(1, 3, double.PositiveInfinity));
        Assert.Throws<ArgumentNullException>(() => model.TimeStep(null!));
        AssertBits(h, model.State);
        AssertBits(c, model.CellState);
    }

    [Fact]
    public void ConstructorRejectsBadShapes()
    {
        var b = Matrix<double>.Build;
        ShapeMismatchException e = Assert.Throws<ShapeMismatchException>(() => new LSTM(b.Dense(3, 8), b.Dense(2, 5), b.Dense(2, 1)));
        Assert.Equal("recurrentWeights", e.ParamName);
        Assert.Throws<ShapeMismatchException>(() => new LSTM(b.Dense(3, 6), b.Dense(2, 8), b.Dense(2, 1)));
        Assert.Throws<ShapeMismatchException>(() => new LSTM(b.Dense(3, 8), b.Dense(2, 8), b.Dense(3, 1)));
        Assert.Throws<ShapeMismatchException>(() => new LSTM(b.Dense(3, 8), b.Dense(2, 8), b.Dense(2, 1), recurrentBias: b.Dense(1, 4)));
        Assert.Throws<ShapeMismatchException>(() => new LSTM(b.Dense(3, 8), b.Dense(2, 8), b.Dense(2, 1), initialCellState: b.Dense(1, 3)));
        Assert.Throws<NonFiniteValueException>(() => new LSTM(b.Dense(3, 8), b.Dense(2, 8), b.Dense(2, 1), inputBias: b.Dense(1, 8, double.NaN)));
        Assert.Throws<ArgumentNullException>(() => new LSTM(null!, b.Dense(2, 8), b.Dense(2, 1)));
    }

    [Fact]
    public void NonFiniteResultIsRefusedStateUnchanged()
    {
        var b = Matrix<double>.Build;
        var model = new LSTM(b.Dense(1, 8), b.Dense(2, 8), b.Dense(2, 1, 1e308), initialCellState: b.Dense(1, 2, 1.0), inputBias: b.Dense(1, 8, 10.0));
        NonFiniteResultException e = Assert.Throws<NonFiniteResultException>(() => model.TimeStep(b.Dense(1, 1)));
        Assert.Equal("step: the output is not finite (element 0 is inf)", e.Message);
        e = Assert.Throws<NonFiniteResultException>(() => model.Forward(b.Dense(3, 1)));
        Assert.Equal("forward: the output at step 0 is not finite (element 0 is inf)", e.Message);
        AssertBits(b.Dense(1, 2), model.State);
        AssertBits(b.Dense(1, 2, 1.0), model.CellState);
    }

    [Fact]
    public void ForwardAllocatesNothingPerTimestep()
    {
        Case shortCase = MakeCase(8, 32, 8, 10, 3, true), longCase = MakeCase(8, 32, 8, 1000, 3, true);
        LSTM model = shortCase.Model();
        long few = FastPathTests.Allocated(() => model.Forward(shortCase.Xs));
        long many = FastPathTests.Allocated(() => model.Forward(longCase.Xs));
        // The difference is the three result matrices' extra rows (8·990·(8 + 32 + 32) bytes) and nothing else.
        long results = 8L * 990 * (8 + 32 + 32);
        Assert.InRange(many - few, results, results + 512);
    }
}
