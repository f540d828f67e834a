using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// GRU BPTT in C#: central differences for every parameter and h0, truncation, and the optimisers'
/// shared contract (<see cref="ITrainable"/>, <see cref="IParameterGradients"/>). Bit parity with the
/// NumPy twin is parity_tests/test_gru_training_parity.py.
/// </summary>
public sealed class GruBpttTests
{
    private const double Target = 1e-6;

    private static (GRU Model, Matrix<double> Inputs, int[] Targets) Case(bool biases = true, int seed = 3) =>
        (GruTests.Network(4, 5, 4, seed, biases), Build.Random(10, 4, seed + 20, 1.5), Build.Targets(10, 4, seed + 30));

    /// <summary>The largest relative error per parameter and for InitialState over a few elements each.</summary>
    private static Dictionary<string, double> FiniteDifferences(GRU model, Matrix<double> inputs, int[] targets, IParameterGradients analytic)
    {
        const double eps = 1e-5;
        Matrix<double> start = model.State;
        var worst = new Dictionary<string, double>();
        var parameters = ((ITrainable)model).Parameters().Append((ParameterNames.InitialState, start)).ToList();
        var gradients = analytic.Arrays().ToDictionary(p => p.Name, p => p.Value);  // the parameters and InitialState
        var random = new Random(0);
        foreach ((string name, Matrix<double> p) in parameters)
        {
            double max = 0.0;
            for (int sample = 0; sample < 8; sample++)
            {
                int r = random.Next(p.RowCount), c = random.Next(p.ColumnCount);
                double old = p[r, c];
                Set(model, name, p, r, c, old + eps);
                double plus = GruBptt.Run(model, inputs, targets, start).Loss;
                Set(model, name, p, r, c, old - eps);
                double minus = GruBptt.Run(model, inputs, targets, start).Loss;
                Set(model, name, p, r, c, old);
                double numeric = (plus - minus) / (2 * eps), a = gradients[name][r, c];
                max = Math.Max(max, Math.Abs(a - numeric) / Math.Max(Math.Abs(a) + Math.Abs(numeric), 1e-8));
            }

            worst[name] = max;
        }

        return worst;
    }

    /// <summary>Element (r, c) of a parameter through ApplyUpdate (the one writer: it repacks); of the start state directly.</summary>
    private static void Set(GRU model, string name, Matrix<double> p, int r, int c, double value)
    {
        if (name == ParameterNames.InitialState)
        {
            p[r, c] = value;
            return;
        }

        double[] values = p.ToColumnMajorArray();
        values[r + c * p.RowCount] = value;
        model.ApplyUpdate([(name, values)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradientsPassTheFiniteDifferenceCheck(bool biases)
    {
        (GRU model, Matrix<double> inputs, int[] targets) = Case(biases);
        Dictionary<string, double> worst = FiniteDifferences(model, inputs, targets, GruBptt.Run(model, inputs, targets).Gradients);
        Assert.Equal(biases ? 7 : 4, worst.Count);
        Assert.All(worst, pair => Assert.True(pair.Value < Target, $"{pair.Key}: {pair.Value}"));
    }

    [Fact]
    public void TheCheckFailsForTheGradientsOfAGruWithItsGatesSwapped()
    {
        // Negative control: the same weights with the r and z blocks exchanged give another model's gradients.
        (GRU model, Matrix<double> inputs, int[] targets) = Case();
        int h = model.HiddenSize;
        Matrix<double> Swap(Matrix<double> m) => Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (r, c) =>
            m[r, c < h ? c + h : c < 2 * h ? c - h : c]);
        var swapped = new GRU(Swap(model.InputWeights), Swap(model.RecurrentWeights), model.OutputWeights, model.State,
                              Swap(model.InputBias!), Swap(model.RecurrentBias!), model.OutputBias);
        Dictionary<string, double> worst = FiniteDifferences(model, inputs, targets, GruBptt.Run(swapped, inputs, targets).Gradients);
        Assert.True(worst[ParameterNames.OutputWeights] > 1e-3 && worst[ParameterNames.InitialState] > 1e-3, string.Join(", ", worst));
    }

    [Fact]
    public void BpttLeavesTheModelAloneAndTruncationCarriesTheState()
    {
        (GRU model, Matrix<double> inputs, int[] targets) = Case();
        Matrix<double> before = model.State, weights = model.RecurrentWeights;
        GruBpttResult whole = GruBptt.Run(model, inputs, targets);
        Build.AssertBitIdentical(before, model.State);
        Build.AssertBitIdentical(weights, model.RecurrentWeights);
        Build.AssertBitIdentical(model.Forward(inputs).States.SubMatrix(9, 1, 0, 5), whole.FinalState);
        model.Reset();
        GruBpttResult first = GruBptt.Run(model, inputs.SubMatrix(0, 4, 0, 4), targets[..4]);
        GruBpttResult second = GruBptt.Run(model, inputs.SubMatrix(4, 6, 0, 4), targets[4..], first.FinalState);
        Assert.Equal(whole.Loss, first.Loss + second.Loss, 1e-12);
        // No gradient crosses the chunk boundary, so the chunks' gradients do not add up to the whole's.
        Assert.True((first.Gradients.RecurrentWeights + second.Gradients.RecurrentWeights - whole.Gradients.RecurrentWeights).InfinityNorm() > 1e-6);
    }

    [Fact]
    public void OptimisersAndClippingTakeGruGradients()
    {
        foreach (IOptimizer optimiser in new IOptimizer[] { new Sgd(0.1), new Adagrad(0.1) })
        {
            (GRU model, Matrix<double> inputs, int[] targets) = Case();
            Matrix<double> before = model.InputBias!;
            double firstLoss = 0.0, lastLoss = 0.0;
            for (int i = 0; i < 20; i++)
            {
                GruBpttResult result = GruBptt.Run(model, inputs, targets, model.InitialState);
                Bptt.ClipElementwise(result.Gradients, 5.0);
                Assert.True(Bptt.ClipGlobalNorm(result.Gradients, 100.0) > 0.0);
                optimiser.Step(model, result.Gradients);
                (firstLoss, lastLoss) = (i == 0 ? result.Loss : firstLoss, result.Loss);
            }

            Assert.True(lastLoss < firstLoss, $"{firstLoss} → {lastLoss}");
            Assert.False(before.Equals(model.InputBias));
        }
    }

    [Fact]
    public void SgdRefusesGradientsOfAnotherParameterSetAndWritesNothing()
    {
        (GRU model, Matrix<double> inputs, int[] targets) = Case(biases: true);
        (GRU other, _, _) = Case(biases: false);
        GruGradients foreign = GruBptt.Run(other, inputs, targets).Gradients;
        Matrix<double> before = model.RecurrentWeights;
        Assert.Throws<ArgumentException>(() => new Sgd(0.1).Step(model, foreign));
        Build.AssertBitIdentical(before, model.RecurrentWeights);
    }

    [Fact]
    public void AnUpdatedGruComputesAsAFreshOneWithTheSameWeights()
    {
        // The optimiser writes through ApplyUpdate, which repacks the weight copies the kernel reads: a
        // model rebuilt from the updated weights must give the same bits (stale copies would not).
        (GRU model, Matrix<double> inputs, int[] targets) = Case();
        new Sgd(0.5).Step(model, GruBptt.Run(model, inputs, targets).Gradients);
        var fresh = new GRU(model.InputWeights, model.RecurrentWeights, model.OutputWeights, model.State,
                            model.InputBias, model.RecurrentBias, model.OutputBias);
        Build.AssertBitIdentical(fresh.Forward(inputs).Outputs, model.Forward(inputs).Outputs);
    }
}
