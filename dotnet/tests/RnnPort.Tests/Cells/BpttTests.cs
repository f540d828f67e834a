using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class BpttTests
{
    private const int I = 5, H = 7, O = 5, T = 12;

    private static (RNN Model, Matrix<double> Inputs, int[] Targets) Case(Activation activation, bool biases, int seed = 20) =>
        (Build.Network(I, H, O, seed, activation, nonZeroInitialState: true, biases),
         Build.Random(T, I, seed + 10, scale: 1.0),
         Build.Targets(T, O, seed + 11));

    [Theory]
    [InlineData(Activation.Tanh, false)]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Relu, true)]
    public void CanPassGradientCheck(Activation activation, bool biases)
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(activation, biases);
        Matrix<double>[] before = Build.Snapshot(model);

        IReadOnlyDictionary<string, double> worst = GradientCheck.Run(model, inputs, targets, samples: 30, seed: 1);

        string[] expected = biases
            ? ["InputWeights", "RecurrentWeights", "OutputWeights", "HiddenBias", "OutputBias", "InitialState"]
            : ["InputWeights", "RecurrentWeights", "OutputWeights", "InitialState"];
        Assert.Equal(expected.Order(), worst.Keys.Order());
        Assert.All(worst, pair => Assert.True(pair.Value < GradientCheck.Target, $"{pair.Key}: worst relative error {pair.Value:E3}"));
        Build.AssertUnchanged(before, model);  // perturbed weights restored exactly, state untouched
    }

    [Fact]
    public void CanRejectWrongGradientInGradientCheck()
    {
        // Negative control: an independent BPTT written here passes the check, and the same code with
        // the tanh derivative left out fails it. A checker that passed both would be checking nothing.
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases: true);
        Matrix<double> start = model.State;

        IReadOnlyDictionary<string, double> right = GradientCheck.Check(model, ReferenceBptt(model, inputs, targets, start, tanhDerivative: true), inputs, targets);
        IReadOnlyDictionary<string, double> wrong = GradientCheck.Check(model, ReferenceBptt(model, inputs, targets, start, tanhDerivative: false), inputs, targets);

        Assert.All(right, pair => Assert.True(pair.Value < GradientCheck.Target, $"{pair.Key}: {pair.Value:E3}"));
        Assert.True(wrong["InputWeights"] > 1e-2, $"InputWeights: {wrong["InputWeights"]:E3}");
        Assert.True(wrong["RecurrentWeights"] > 1e-2, $"RecurrentWeights: {wrong["RecurrentWeights"]:E3}");
        Assert.True(wrong["HiddenBias"] > 1e-2, $"HiddenBias: {wrong["HiddenBias"]:E3}");
        Assert.True(wrong["OutputWeights"] < GradientCheck.Target, "the output layer does not go through tanh");
    }

    [Fact]
    public void CanMatchIndependentBpttClosely()
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases: true);

        Gradients library = Bptt.Run(model, inputs, targets).Gradients;
        Gradients reference = ReferenceBptt(model, inputs, targets, model.State, tanhDerivative: true);

        AssertClose(reference.InputWeights, library.InputWeights);
        AssertClose(reference.RecurrentWeights, library.RecurrentWeights);
        AssertClose(reference.OutputWeights, library.OutputWeights);
        AssertClose(reference.HiddenBias!, library.HiddenBias!);
        AssertClose(reference.OutputBias!, library.OutputBias!);
        AssertClose(reference.InitialState, library.InitialState);
    }

    [Fact]
    public void CanRunWithoutChangingModel()
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Relu, biases: true);
        model.Forward(Build.Random(3, I, seed: 5));
        Matrix<double>[] before = Build.Snapshot(model);

        Bptt.Run(model, inputs, targets);
        Bptt.Run(model, inputs, targets, Build.Random(1, H, seed: 6));

        Build.AssertUnchanged(before, model);
    }

    [Fact]
    public void CanStartFromModelStateByDefault()
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases: false);
        model.Forward(Build.Random(4, I, seed: 7));

        BpttResult byDefault = Bptt.Run(model, inputs, targets);
        BpttResult explicitly = Bptt.Run(model, inputs, targets, model.State);

        Assert.Equal(byDefault.Loss, explicitly.Loss);
        Build.AssertBitIdentical(explicitly.Gradients.RecurrentWeights, byDefault.Gradients.RecurrentWeights);
    }

    [Fact]
    public void CanCarryFinalStateBitIdenticalToForward()
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases: true);
        Matrix<double> start = model.State;

        BpttResult chunk = Bptt.Run(model, inputs, targets);
        (Matrix<double> outputs, Matrix<double> states) = model.Forward(inputs);

        Build.AssertBitIdentical(model.State, chunk.FinalState);
        Build.AssertBitIdentical(states.SubMatrix(T - 1, 1, 0, H), chunk.FinalState);
        Assert.Equal(Loss.CrossEntropy(outputs, targets), chunk.Loss);
        Assert.NotEqual(start, chunk.FinalState);
    }

    [Fact]
    public void CanTruncateAtChunkBoundary()
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases: true);
        Matrix<double> chunk2 = Build.Random(8, I, seed: 30, scale: 1.0);
        int[] targets2 = Build.Targets(8, O, seed: 31);

        BpttResult first = Bptt.Run(model, inputs, targets);
        BpttResult second = Bptt.Run(model, chunk2, targets2, first.FinalState);

        // A model that never saw chunk 1, started at the carried state, gives the same chunk-2 gradients,
        // bit for bit: nothing of chunk 1 reaches them but the state.
        var fresh = new RNN(model.InputWeights, model.RecurrentWeights, model.OutputWeights, first.FinalState, model.Activation, model.HiddenBias, model.OutputBias);
        BpttResult alone = Bptt.Run(fresh, chunk2, targets2);
        Assert.Equal(second.Loss, alone.Loss);
        Build.AssertBitIdentical(alone.Gradients.InputWeights, second.Gradients.InputWeights);
        Build.AssertBitIdentical(alone.Gradients.RecurrentWeights, second.Gradients.RecurrentWeights);
        Build.AssertBitIdentical(alone.Gradients.OutputWeights, second.Gradients.OutputWeights);
        Build.AssertBitIdentical(alone.Gradients.HiddenBias!, second.Gradients.HiddenBias!);
        Build.AssertBitIdentical(alone.Gradients.InitialState, second.Gradients.InitialState);
        Build.AssertBitIdentical(alone.FinalState, second.FinalState);

        // Untruncated BPTT over both chunks sends chunk 2's error into chunk 1's steps as well.
        Matrix<double> both = inputs.Stack(chunk2);
        BpttResult whole = Bptt.Run(model, both, [.. targets, .. targets2]);
        Assert.Equal(first.Loss + second.Loss, whole.Loss, 12);
        Matrix<double> truncatedSum = first.Gradients.RecurrentWeights + second.Gradients.RecurrentWeights;
        Assert.True((whole.Gradients.RecurrentWeights - truncatedSum).FrobeniusNorm() > 1e-6);
    }

    [Fact]
    public void CanClipElementwiseIncludingInitialState()
    {
        Gradients g = Handmade(Build.Row(-10.0, -5.0, 0.3), Build.Row(7.0), Build.Row(5.0, -0.0), Build.Row(-6.0, 6.0, 1.0));

        Bptt.ClipElementwise(g, 5.0);

        Build.AssertBitIdentical(Build.Row(-5.0, -5.0, 0.3), g.InputWeights);
        Build.AssertBitIdentical(Build.Row(5.0), g.RecurrentWeights);
        Build.AssertBitIdentical(Build.Row(5.0, -0.0), g.OutputWeights);
        Build.AssertBitIdentical(Build.Row(-5.0, 5.0, 1.0), g.InitialState);
    }

    [Fact]
    public void CanClipGlobalNormReturningNormBefore()
    {
        // Norm √(3² + 4² + 0²) = 5; clipped to 1 every parameter scales by 1/5, the initial state does not.
        Gradients g = Handmade(Build.Row(3.0), Build.Row(4.0), Build.Row(0.0), Build.Row(100.0));

        double norm = Bptt.ClipGlobalNorm(g, 1.0);

        Assert.Equal(5.0, norm);
        Assert.Equal(3.0 * (1.0 / 5.0), g.InputWeights[0, 0]);
        Assert.Equal(4.0 * (1.0 / 5.0), g.RecurrentWeights[0, 0]);
        Assert.Equal(100.0, g.InitialState[0, 0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CanClipGlobalNormToMaxNorm(bool biases)
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases);
        Gradients g = Bptt.Run(model, inputs, targets).Gradients;
        double before = Norm(g);

        double returned = Bptt.ClipGlobalNorm(g, 0.25);

        Assert.Equal(before, returned);
        Assert.True(returned > 0.25);
        double ulp = Math.BitIncrement(0.25) - 0.25;
        Assert.True(Math.Abs(Norm(g) - 0.25) <= 4 * ulp, $"norm after: {Norm(g):R}");
    }

    [Fact]
    public void CanLeaveGradientsBelowMaxNormAlone()
    {
        (RNN model, Matrix<double> inputs, int[] targets) = Case(Activation.Tanh, biases: true);
        Gradients g = Bptt.Run(model, inputs, targets).Gradients;
        Matrix<double> copy = g.InputWeights.Clone();

        double norm = Bptt.ClipGlobalNorm(g, 1e6);

        Assert.Equal(Norm(g), norm);
        Build.AssertBitIdentical(copy, g.InputWeights);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void RejectsNonPositiveClipLimits(double limit)
    {
        Gradients g = Handmade(Build.Row(10.0), Build.Row(10.0), Build.Row(10.0), Build.Row(10.0));

        Assert.Throws<ArgumentOutOfRangeException>(() => Bptt.ClipElementwise(g, limit));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bptt.ClipGlobalNorm(g, limit));

        Assert.Equal(10.0, g.InputWeights[0, 0]);
    }

    /// <summary>Bad calls of Bptt.Run: the typed error, and the model's weights and state unchanged.</summary>
    public static TheoryData<string, Func<RNN, BpttResult>, Type> RejectedRuns => new()
    {
        { "target out of range", m => Bptt.Run(m, Build.Random(3, I, 1), [0, O, 1]), typeof(ArgumentOutOfRangeException) },
        { "negative target", m => Bptt.Run(m, Build.Random(3, I, 1), [0, -1, 1]), typeof(ArgumentOutOfRangeException) },
        { "too few targets", m => Bptt.Run(m, Build.Random(3, I, 1), [0, 1]), typeof(ShapeMismatchException) },
        { "too many targets", m => Bptt.Run(m, Build.Random(3, I, 1), [0, 1, 2, 3]), typeof(ShapeMismatchException) },
        { "empty sequence", m => Bptt.Run(m, Matrix<double>.Build.Dense(0, I), []), typeof(ArgumentException) },
        { "inputs with wrong columns", m => Bptt.Run(m, Build.Random(3, I + 1, 1), [0, 1, 2]), typeof(ShapeMismatchException) },
        { "NaN input", m => Bptt.Run(m, Build.Rows([0.0, 0.0, 0.0, 0.0, double.NaN]), [0]), typeof(NonFiniteValueException) },
        { "initial state wrong shape", m => Bptt.Run(m, Build.Random(3, I, 1), [0, 1, 2], Build.Random(H, 1, 2)), typeof(ShapeMismatchException) },
        { "initial state infinite", m => Bptt.Run(m, Build.Random(1, I, 1), [0], Matrix<double>.Build.Dense(1, H, double.PositiveInfinity)), typeof(NonFiniteValueException) },
        { "null targets", m => Bptt.Run(m, Build.Random(1, I, 1), null!), typeof(ArgumentNullException) },
    };

    [Theory]
    [MemberData(nameof(RejectedRuns))]
    public void RejectsBadRunsLeavingModelUnchanged(string label, Func<RNN, BpttResult> run, Type expectedError)
    {
        RNN model = Build.Network(I, H, O, seed: 3, biases: true);
        model.Forward(Build.Random(2, I, seed: 4));
        Matrix<double>[] before = Build.Snapshot(model);

        Exception error = Assert.ThrowsAny<ArgumentException>(() => run(model));

        Assert.True(expectedError == error.GetType(), $"{label}: expected {expectedError.Name}, got {error.GetType().Name}: {error.Message}");
        Build.AssertUnchanged(before, model);
    }

    private static Gradients Handmade(Matrix<double> input, Matrix<double> recurrent, Matrix<double> output, Matrix<double> initial) =>
        new(input, recurrent, output, null, null, initial);

    private static double Norm(Gradients g)
    {
        double sum = 0.0;
        foreach (Matrix<double>? m in new[] { g.InputWeights, g.RecurrentWeights, g.OutputWeights, g.HiddenBias, g.OutputBias })
        {
            if (m is not null)
            {
                sum += m.Enumerate().Sum(v => v * v);
            }
        }

        return Math.Sqrt(sum);
    }

    private static void AssertClose(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal((expected.RowCount, expected.ColumnCount), (actual.RowCount, actual.ColumnCount));
        double scale = Math.Max(1.0, expected.Enumerate().Max(Math.Abs));
        Assert.True((expected - actual).Enumerate().Max(Math.Abs) <= 1e-13 * scale);
    }

    /// <summary>
    /// BPTT written again with whole-matrix MathNet operations, independently of the library's loops,
    /// for the tanh model. With <paramref name="tanhDerivative"/> false, da = dh: the classic mistake.
    /// </summary>
    private static Gradients ReferenceBptt(RNN model, Matrix<double> inputs, int[] targets, Matrix<double> start, bool tanhDerivative)
    {
        var copy = new RNN(model.InputWeights, model.RecurrentWeights, model.OutputWeights, start, model.Activation, model.HiddenBias, model.OutputBias);
        (Matrix<double> outputs, Matrix<double> states) = copy.Forward(inputs);
        Matrix<double> p = Loss.Softmax(outputs);
        int steps = inputs.RowCount, hidden = model.HiddenSize;
        Matrix<double> dInput = Matrix<double>.Build.Dense(model.InputSize, hidden);
        Matrix<double> dRecurrent = Matrix<double>.Build.Dense(hidden, hidden);
        Matrix<double> dOutput = Matrix<double>.Build.Dense(hidden, model.OutputSize);
        Matrix<double> dHiddenBias = Matrix<double>.Build.Dense(1, hidden);
        Matrix<double> dOutputBias = Matrix<double>.Build.Dense(1, model.OutputSize);
        Matrix<double> dhNext = Matrix<double>.Build.Dense(1, hidden);
        for (int t = steps - 1; t >= 0; t--)
        {
            Matrix<double> h = states.SubMatrix(t, 1, 0, hidden);
            Matrix<double> previous = t > 0 ? states.SubMatrix(t - 1, 1, 0, hidden) : start;
            Matrix<double> x = inputs.SubMatrix(t, 1, 0, model.InputSize);
            Matrix<double> dy = p.SubMatrix(t, 1, 0, model.OutputSize);
            dy[0, targets[t]] -= 1.0;
            dOutput += h.TransposeThisAndMultiply(dy);
            dOutputBias += dy;
            Matrix<double> dh = dy.TransposeAndMultiply(model.OutputWeights) + dhNext;
            Matrix<double> da = tanhDerivative ? h.Map(v => 1.0 - v * v).PointwiseMultiply(dh) : dh;
            dHiddenBias += da;
            dInput += x.TransposeThisAndMultiply(da);
            dRecurrent += previous.TransposeThisAndMultiply(da);
            dhNext = da.TransposeAndMultiply(model.RecurrentWeights);
        }

        return new Gradients(dInput, dRecurrent, dOutput, dHiddenBias, dOutputBias, dhNext);
    }
}
