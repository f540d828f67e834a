using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class OptimiserTests
{
    // A tiny model, I = 2, H = 1, O = 1, biases on; weights and gradients chosen exact in binary64.
    private static RNN Tiny(bool biases = true) => new(
        Build.Rows([1.0], [-2.0]),
        Build.Row(0.5),
        Build.Row(4.0),
        Build.Row(0.25),
        Activation.Tanh,
        biases ? Build.Row(1.5) : null,
        biases ? Build.Row(-1.0) : null);

    private static Gradients TinyGradients(bool biases = true) => new(
        Build.Rows([0.5], [-1.0]),
        Build.Row(2.0),
        Build.Row(-0.25),
        biases ? Build.Row(8.0) : null,
        biases ? Build.Row(0.75) : null,
        Build.Row(123.0));

    [Fact]
    public void CanStepSgdByHand()
    {
        RNN model = Tiny();
        Matrix<double> state = model.State;

        new Sgd(0.25).Step(model, TinyGradients());

        // p − 0.25·g, every product and difference exact.
        Build.AssertBitIdentical(Build.Rows([1.0 - 0.125], [-2.0 + 0.25]), model.InputWeights);
        Build.AssertBitIdentical(Build.Row(0.5 - 0.5), model.RecurrentWeights);
        Build.AssertBitIdentical(Build.Row(4.0 + 0.0625), model.OutputWeights);
        Build.AssertBitIdentical(Build.Row(1.5 - 2.0), model.HiddenBias!);
        Build.AssertBitIdentical(Build.Row(-1.0 - 0.1875), model.OutputBias!);
        Build.AssertBitIdentical(state, model.State);
        Build.AssertBitIdentical(Build.Row(0.25), model.InitialState);  // the initial state's gradient is never applied
    }

    [Fact]
    public void CanStepAdagradByHandAccumulatingMemory()
    {
        RNN model = Tiny();
        var adagrad = new Adagrad(0.1);

        adagrad.Step(model, TinyGradients());
        double afterOne = 1.0 - (0.1 * 0.5) / Math.Sqrt(0.25 + 1e-8);  // m = 0.5² = 0.25
        Assert.Equal(afterOne, model.InputWeights[0, 0]);
        Assert.Equal(0.25, adagrad.Memory["InputWeights"][0, 0]);

        adagrad.Step(model, TinyGradients());
        double afterTwo = afterOne - (0.1 * 0.5) / Math.Sqrt(0.5 + 1e-8);  // m = 0.25 + 0.25: the second step is smaller
        Assert.Equal(afterTwo, model.InputWeights[0, 0]);
        Assert.Equal(0.5, adagrad.Memory["InputWeights"][0, 0]);
        Assert.Equal(2 * 64.0, adagrad.Memory["HiddenBias"][0, 0]);
        Assert.Equal(1.5 - (0.1 * 8.0) / Math.Sqrt(64.0 + 1e-8) - (0.1 * 8.0) / Math.Sqrt(128.0 + 1e-8), model.HiddenBias![0, 0]);
        Assert.Equal(["HiddenBias", "InputWeights", "OutputBias", "OutputWeights", "RecurrentWeights"], adagrad.Memory.Keys.Order());
    }

    [Fact]
    public void CanStepAdagradInNumPyOperationOrder()
    {
        // param -= lr * g / sqrt(m + eps) evaluates (lr·g) / sqrt(…), not lr·(g / sqrt(…)).
        RNN model = new(Build.Row(0.0), Build.Row(0.0), Build.Row(0.0));
        var adagrad = new Adagrad(0.1, epsilon: 1e-8);
        const double g = 0.3;

        adagrad.Step(model, new Gradients(Build.Row(g), Build.Row(0.0), Build.Row(0.0), null, null, Build.Row(0.0)));

        Assert.Equal(0.0 - (0.1 * g) / Math.Sqrt((g * g) + 1e-8), model.InputWeights[0, 0]);
    }

    [Fact]
    public void CanHideAdagradMemoryBehindCopies()
    {
        RNN model = Tiny();
        var adagrad = new Adagrad(0.1);
        adagrad.Step(model, TinyGradients());

        adagrad.Memory["InputWeights"][0, 0] = 42.0;

        Assert.Equal(0.25, adagrad.Memory["InputWeights"][0, 0]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsBadLearningRate(double rate)
    {
        var sgd = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(rate));
        var adagrad = Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(rate));

        Assert.Contains("learning_rate must be finite and > 0", sgd.Message, StringComparison.Ordinal);
        Assert.Contains("learning_rate must be finite and > 0", adagrad.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void RejectsBadAdagradEpsilon(double epsilon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(0.1, epsilon));
    }

    /// <summary>Gradients that do not fit the model (biases on): the typed error.</summary>
    public static TheoryData<string, Func<Gradients>, Type> MismatchedGradients => new()
    {
        { "no biases", () => TinyGradients(biases: false), typeof(ArgumentException) },
        { "hidden bias only", () => new Gradients(Build.Rows([0.5], [-1.0]), Build.Row(2.0), Build.Row(-0.25), Build.Row(1.0), null, Build.Row(0.0)), typeof(ArgumentException) },
        { "input weights transposed", () => new Gradients(Build.Row(0.5, -1.0), Build.Row(2.0), Build.Row(-0.25), Build.Row(1.0), Build.Row(1.0), Build.Row(0.0)), typeof(ShapeMismatchException) },
        { "output bias too long", () => new Gradients(Build.Rows([0.5], [-1.0]), Build.Row(2.0), Build.Row(-0.25), Build.Row(1.0), Build.Row(1.0, 2.0), Build.Row(0.0)), typeof(ShapeMismatchException) },
    };

    [Theory]
    [MemberData(nameof(MismatchedGradients))]
    public void RejectsMismatchedGradientsChangingNothing(string label, Func<Gradients> gradients, Type expectedError)
    {
        foreach (IOptimizer optimizer in new IOptimizer[] { new Sgd(0.1), new Adagrad(0.1) })
        {
            RNN model = Tiny();
            Matrix<double>[] before = Build.Snapshot(model);

            Exception error = Assert.ThrowsAny<ArgumentException>(() => optimizer.Step(model, gradients()));

            Assert.True(expectedError == error.GetType(), $"{label}: expected {expectedError.Name}, got {error.GetType().Name}: {error.Message}");
            Build.AssertUnchanged(before, model);
            if (optimizer is Adagrad adagrad)
            {
                Assert.Empty(adagrad.Memory);
            }
        }
    }

    [Fact]
    public void RejectsGradientsWithBiasesForModelWithout()
    {
        RNN model = Tiny(biases: false);
        Matrix<double>[] before = Build.Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => new Sgd(0.1).Step(model, TinyGradients(biases: true)));

        Assert.Contains("the model has [InputWeights, RecurrentWeights, OutputWeights]", error.Message, StringComparison.Ordinal);
        Build.AssertUnchanged(before, model);
    }

    [Fact]
    public void RejectsAdagradReusedOnDifferentModelChangingNothing()
    {
        var adagrad = new Adagrad(0.1);
        adagrad.Step(Tiny(), TinyGradients());
        RNN other = Build.Network(3, 2, 1, seed: 1, biases: true);
        Gradients otherGradients = Bptt.Run(other, Build.Random(2, 3, seed: 2), [0, 0]).Gradients;
        Matrix<double>[] before = Build.Snapshot(other);

        Assert.Throws<ArgumentException>(() => adagrad.Step(other, otherGradients));

        Build.AssertUnchanged(before, other);
        Assert.Equal(0.25, adagrad.Memory["InputWeights"][0, 0]);
    }

    [Fact]
    public void RejectsNullArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new Sgd(0.1).Step(null!, TinyGradients()));
        Assert.Throws<ArgumentNullException>(() => new Adagrad(0.1).Step(Tiny(), null!));
    }
}
