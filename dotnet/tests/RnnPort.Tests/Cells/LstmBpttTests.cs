using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>The C# LSTM's BPTT alone: central finite differences, chunking, clipping and the optimisers.</summary>
public sealed class LstmBpttTests
{
    private static Matrix<double> Random(int rows, int columns, Random random, double scale = 1.0) =>
        Matrix<double>.Build.Dense(rows, columns, (_, _) => scale * (2.0 * random.NextDouble() - 1.0));

    private static (LSTM Model, Matrix<double> Inputs, int[] Targets) Case(int inputs, int hidden, int outputs, int steps, int seed, bool biases)
    {
        var r = new Random(seed);
        var model = new LSTM(
            Random(inputs, 4 * hidden, r), Random(hidden, 4 * hidden, r), Random(hidden, outputs, r),
            Random(1, hidden, r), Random(1, hidden, r),
            biases ? Random(1, 4 * hidden, r) : null, biases ? Random(1, 4 * hidden, r) : null, biases ? Random(1, outputs, r) : null);
        int[] targets = Enumerable.Range(0, steps).Select(_ => r.Next(outputs)).ToArray();
        return (model, Random(steps, inputs, r, 2.0), targets);
    }

    /// <summary>
    /// The largest relative error |a − n| / max(|a| + |n|, 1e-3) of central differences (ε = 1e-5) over every
    /// element of every parameter, the initial state and the initial cell state. The floor: the difference's
    /// cancellation error is about ulp(L)/ε ≈ 2e-10, so elements under 1e-3 are judged by that absolute error.
    /// </summary>
    private static double WorstRelativeError(LSTM model, Matrix<double> inputs, int[] targets, LstmGradients? analyticGiven = null)
    {
        const double eps = 1e-5;
        Matrix<double> h0 = model.State, c0 = model.CellState;
        LstmGradients analytic = analyticGiven ?? LstmBptt.Run(model, inputs, targets, h0, c0).Gradients;
        var names = model.Parameters().Select(p => p.Name).ToList();
        var pairs = model.Parameters().Select(p => (p.Name, p.Value.Clone(), analytic.Parameters().First(g => g.Name == p.Name).Value)).ToList();
        pairs.Add(("h0", h0, analytic.InitialState));
        pairs.Add(("c0", c0, analytic.InitialCellState));
        double worst = 0.0;
        foreach ((string name, Matrix<double> p, Matrix<double> g) in pairs)
        {
            bool weight = names.Contains(name);
            double Loss(int r, int c, double value)
            {
                Matrix<double> changed = p.Clone();
                changed[r, c] = value;
                if (weight)
                {
                    model.ApplyUpdate([(name, changed.ToColumnMajorArray())]);
                    double loss = LstmBptt.Run(model, inputs, targets, h0, c0).Loss;
                    model.ApplyUpdate([(name, p.ToColumnMajorArray())]);
                    return loss;
                }

                return LstmBptt.Run(model, inputs, targets, name == "h0" ? changed : h0, name == "c0" ? changed : c0).Loss;
            }

            for (int r = 0; r < p.RowCount; r++)
            {
                for (int c = 0; c < p.ColumnCount; c++)
                {
                    double old = p[r, c];
                    double numeric = (Loss(r, c, old + eps) - Loss(r, c, old - eps)) / (2 * eps), a = g[r, c];
                    worst = Math.Max(worst, Math.Abs(a - numeric) / Math.Max(Math.Abs(a) + Math.Abs(numeric), 1e-3));
                }
            }
        }

        return worst;
    }

    [Theory]
    [InlineData(1, 1, 2, 6, true)]
    [InlineData(3, 4, 5, 10, true)]
    [InlineData(2, 3, 1, 8, false)]
    public void GradientsMatchFiniteDifferences(int inputs, int hidden, int outputs, int steps, bool biases)
    {
        (LSTM model, Matrix<double> xs, int[] targets) = Case(inputs, hidden, outputs, steps, inputs + hidden, biases);
        Assert.True(WorstRelativeError(model, xs, targets) < 1e-6);
    }

    [Fact]
    public void FiniteDifferencesCatchWrongGradients()
    {
        // Negative control: the analytic gradients of the same weights with the i and f column blocks swapped.
        (LSTM model, Matrix<double> xs, int[] targets) = Case(3, 4, 5, 10, 7, false);
        static Matrix<double> Swap(Matrix<double> w) =>
            w.SubMatrix(0, w.RowCount, 4, 4).Append(w.SubMatrix(0, w.RowCount, 0, 4)).Append(w.SubMatrix(0, w.RowCount, 8, 8));
        var swapped = new LSTM(Swap(model.InputWeights), Swap(model.RecurrentWeights), model.OutputWeights, model.State, model.CellState);
        LstmGradients wrong = LstmBptt.Run(swapped, xs, targets).Gradients;
        Assert.True(WorstRelativeError(model, xs, targets, wrong) > 1e-2);
    }

    [Fact]
    public void ChunksCarryStateAndChangeNothing()
    {
        (LSTM model, Matrix<double> xs, int[] targets) = Case(3, 4, 5, 20, 3, true);
        Matrix<double> h = model.State, c = model.CellState;
        LstmBpttResult first = LstmBptt.Run(model, xs.SubMatrix(0, 8, 0, 3), targets[..8]);
        LstmBpttResult second = LstmBptt.Run(model, xs.SubMatrix(8, 12, 0, 3), targets[8..], first.FinalState, first.FinalCellState);
        Assert.Equal(h, model.State);
        Assert.Equal(c, model.CellState);
        (_, Matrix<double> hs, Matrix<double> cs) = model.Forward(xs);
        Assert.Equal(hs.SubMatrix(19, 1, 0, 4), second.FinalState);
        Assert.Equal(cs.SubMatrix(19, 1, 0, 4), second.FinalCellState);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        (LSTM model, Matrix<double> xs, int[] targets) = Case(3, 4, 5, 6, 4, true);
        Assert.Throws<ShapeMismatchException>(() => LstmBptt.Run(model, xs, targets, initialCellState: Matrix<double>.Build.Dense(1, 3)));
        Assert.Throws<NonFiniteValueException>(() => LstmBptt.Run(model, xs, targets, Matrix<double>.Build.Dense(1, 4, double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LstmBptt.Run(model, xs, [0, 1, 2, 3, 4, 5]));
        Assert.Throws<ArgumentException>(() => LstmBptt.Run(model, xs.SubMatrix(0, 0, 0, 3), []));
    }

    [Fact]
    public void ClippingCoversBothInitialStates()
    {
        (LSTM model, Matrix<double> xs, int[] targets) = Case(3, 4, 5, 30, 5, true);
        LstmGradients g = LstmBptt.Run(model, xs, targets).Gradients;
        g.InitialCellState[0, 0] = 100.0;
        g.InitialState[0, 0] = -100.0;
        LstmBptt.ClipElementwise(g, 0.01);
        foreach (Matrix<double> m in g.Parameters().Select(p => p.Value).Append(g.InitialState).Append(g.InitialCellState))
        {
            Assert.True(m.Enumerate().All(v => Math.Abs(v) <= 0.01));
        }

        g = LstmBptt.Run(model, xs, targets).Gradients;
        double norm = LstmBptt.ClipGlobalNorm(g, 1e-3);
        Assert.True(norm > 1e-3);
        Assert.InRange(Math.Sqrt(g.Parameters().Sum(p => p.Value.Enumerate().Sum(v => v * v))), 1e-3 - 1e-15, 1e-3 + 1e-15);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adagrad")]
    public void TrainingLowersTheLoss(string name)
    {
        (LSTM model, Matrix<double> xs, _) = Case(4, 8, 4, 25, 6, true);
        int[] targets = Enumerable.Range(0, 25).Select(t => t == 0 ? 0 : xs.Row(t - 1).MaximumIndex()).ToArray();
        IOptimizer optimiser = name == "sgd" ? new Sgd(0.05) : new Adagrad(0.1);
        double first = LstmBptt.Run(model, xs, targets).Loss;
        for (int i = 0; i < 60; i++)
        {
            LstmBpttResult result = LstmBptt.Run(model, xs, targets);
            LstmBptt.ClipElementwise(result.Gradients, 5.0);
            optimiser.Step(model, result.Gradients);
        }

        Assert.True(LstmBptt.Run(model, xs, targets).Loss < 0.7 * first);
    }

    [Fact]
    public void OptimiserRefusesGradientsOfAnotherModel()
    {
        (LSTM withBiases, Matrix<double> xs, int[] targets) = Case(3, 2, 2, 5, 8, true);
        (LSTM without, _, _) = Case(3, 2, 2, 5, 8, false);
        LstmGradients g = LstmBptt.Run(without, xs, targets).Gradients;
        Matrix<double> before = withBiases.RecurrentWeights;
        Assert.Throws<ArgumentException>(() => new Sgd(0.1).Step(withBiases, g));
        Assert.Equal(before, withBiases.RecurrentWeights);
    }

    [Fact]
    public void BpttAllocatesNothingPerTimestepBeyondItsResults()
    {
        // Per extra timestep: the T×O outputs and probabilities, the T×H states and cell states, and the saved
        // T×4H gates, 8 bytes each; the backward loop itself allocates nothing per step.
        (LSTM model, Matrix<double> xs, int[] targets) = Case(8, 32, 8, 1000, 9, true);
        Matrix<double> shortXs = xs.SubMatrix(0, 10, 0, 8);
        int[] shortTargets = targets[..10];
        long few = FastPathTests.Allocated(() => LstmBptt.Run(model, shortXs, shortTargets));
        long many = FastPathTests.Allocated(() => LstmBptt.Run(model, xs, targets));
        long results = 8L * 990 * (8 + 8 + 32 + 32 + 4 * 32);
        Assert.InRange(many - few, results, results + 1024);
    }
}
