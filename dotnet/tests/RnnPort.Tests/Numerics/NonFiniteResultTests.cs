using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// Non-finite results from finite inputs are refused with <see cref="NonFiniteResultException"/>
/// (docs/bad-input.md, "Non-finite results"), the model unchanged. The twin of
/// python/tests/test_non_finite_results.py, with the same cases transposed; each check has a negative
/// control that switches it off and watches the ±Infinity pass through.
/// </summary>
public sealed class NonFiniteResultTests
{
    public static TheoryData<Kernel> Kernels => new() { Kernel.Sequential, Kernel.MathNet, Kernel.Simd };

    /// <summary>The model: ReLU, W_xh = 1e308; an input of 2 overflows the pre-activation to +∞.</summary>
    private static RNN OverflowingRelu(Kernel kernel) => new(
        Matrix<double>.Build.Dense(2, 3, 1e308),
        Matrix<double>.Build.DenseIdentity(3).Multiply(0.5),
        Build.Rows([1.0], [-1.0], [1.0]),
        activation: Activation.Relu)
    { Kernel = kernel };

    /// <summary>H = I = O = 1, h0 = 1, W_hh = 1e200: the state is 1e200 after step 0 and +∞ after step 1.</summary>
    private static RNN LateOverflow(Kernel kernel) => new(
        Build.Row(0.0), Build.Row(1e200), Build.Row(1.0), Build.Row(1.0), Activation.Relu)
    { Kernel = kernel };

    private static void Throws(string message, Action action) =>
        Assert.Equal(message, Assert.Throws<NonFiniteResultException>(action).Message);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ForwardRefusesAnOverflowingStateAndKeepsTheState(Kernel kernel)
    {
        RNN model = OverflowingRelu(kernel);
        model.State = Build.Row(0.25, 0.5, 0.75);
        Throws("forward: the state at step 0 is not finite (element 0 is inf)", () => model.Forward(Matrix<double>.Build.Dense(4, 2, 2.0)));
        Build.AssertBitIdentical(Build.Row(0.25, 0.5, 0.75), model.State);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ForwardNamesTheFirstBadStep(Kernel kernel) =>
        Throws("forward: the state at step 1 is not finite (element 0 is inf)", () => LateOverflow(kernel).Forward(Matrix<double>.Build.Dense(5, 1)));

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ForwardNamesAnOutputWhenTheStateIsFinite(Kernel kernel)
    {
        RNN model = new(Build.Row(0.0), Build.Row(1.0), Build.Row(1e10), Build.Row(1e300), Activation.Relu) { Kernel = kernel };
        Throws("forward: the output at step 0 is not finite (element 0 is inf)", () => model.Forward(Matrix<double>.Build.Dense(2, 1)));
        Build.AssertBitIdentical(Build.Row(1e300), model.State);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void ATanhStateOfInfMinusInfIsNaN(Kernel kernel)
    {
        // x·W_in = 2·1e308 = +inf and h·W_rec = 2·(−1e308) = −inf in every kernel (one product each), so
        // their sum is NaN whether the products are fused or not.
        RNN model = new(Build.Row(1e308), Build.Row(-1e308), Build.Row(1.0), Build.Row(2.0)) { Kernel = kernel };
        Throws("forward: the state at step 0 is not finite (element 0 is nan)", () => model.Forward(Build.Row(2.0)));
    }

    [Theory]
    [InlineData(Kernel.Sequential, true)]
    [InlineData(Kernel.MathNet, true)]
    [InlineData(Kernel.Simd, false)]
    public void AnOverflowWithinOneSumIsNaNOnlyWhenProductsAreRounded(Kernel kernel, bool refused)
    {
        // 2·1e308 + (−2)·1e308: rounded products give inf + (−inf) = NaN; Kernel.Simd's fused multiply-add
        // adds the exact −2e308 to +inf, which stays +inf, so tanh gives 1 and nothing is refused. The fast
        // kernel's bound (γₙ·Σ|p|, Σ|p| = inf here) allows both.
        RNN model = new(Build.Rows([1e308], [1e308]), Build.Row(0.0), Build.Row(1.0)) { Kernel = kernel };
        if (refused)
        {
            Throws("forward: the state at step 0 is not finite (element 0 is nan)", () => model.Forward(Build.Row(2.0, -2.0)));
        }
        else
        {
            Build.AssertBitIdentical(Build.Row(1.0), model.Forward(Build.Row(2.0, -2.0)).States);
        }
    }

    [Fact]
    public void AFiniteSumThatOverflowsIsNoFalseRefusal()
    {
        // The cheap screen sums the states; 1e308 + 1e308 overflows, but every state is finite.
        RNN model = new(Build.Row(1e308), Build.Row(0.0), Build.Row(0.0), activation: Activation.Relu);
        (_, Matrix<double> states) = model.Forward(Build.Rows([1.0], [1.0]));
        Build.AssertBitIdentical(Build.Rows([1e308], [1e308]), states);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void TimeStepRefusesAndKeepsTheState(Kernel kernel)
    {
        RNN model = LateOverflow(kernel);
        model.TimeStep(Build.Row(0.0));
        Throws("step: the state is not finite (element 0 is inf)", () => model.TimeStep(Build.Row(0.0)));
        Build.AssertBitIdentical(Build.Row(1e200), model.State);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void TimeStepNamesTheOutput(Kernel kernel)
    {
        RNN model = new(Build.Row(0.0), Build.Row(1.0), Build.Row(1e10), Build.Row(1e300), Activation.Relu) { Kernel = kernel };
        Throws("step: the output is not finite (element 0 is inf)", () => model.TimeStep(Build.Row(0.0)));
        Build.AssertBitIdentical(Build.Row(1e300), model.State);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void NegativeControlWithoutTheModelCheckInfinityPasses(Kernel kernel)
    {
        RNN model = OverflowingRelu(kernel);
        model.CheckResults = false;
        (Matrix<double> outputs, Matrix<double> states) = model.Forward(Matrix<double>.Build.Dense(2, 2, 2.0));
        Assert.True(double.IsPositiveInfinity(states.At(0, 0)));
        Assert.False(double.IsFinite(outputs.At(0, 0)));
        Assert.False(double.IsFinite(model.TimeStep(Build.Row(2.0, 2.0)).At(0, 0)));
        Assert.True(double.IsPositiveInfinity(model.State.At(0, 0)));
    }

    [Fact]
    public void LossNamesTheOverflowingTerm() =>
        Throws("loss: the term at step 1 is not finite (inf)", () => Loss.CrossEntropy(Build.Rows([0.0, 1.0], [1e308, -1e308]), [0, 1]));

    [Fact]
    public void LossRefusesASumOfFiniteTermsThatOverflows() =>
        Throws("loss: the sum over steps is not finite (inf)", () => Loss.CrossEntropy(Build.Rows([1e308, -7e307], [1e308, -7e307]), [1, 1]));

    [Fact]
    public void NegativeControlTheLossCaseReallyOverflows() =>
        // What CrossEntropy would return without its check: log 1 − (−1e308 − 1e308).
        Assert.Equal(double.PositiveInfinity, Math.Log(1.0) - (-1e308 - 1e308));

    [Fact]
    public void SoftmaxRefusesADegenerateTemperature()
    {
        Throws("softmax: scores / temperature is not finite (element (0, 1) is inf)", () => Loss.Softmax(Build.Row(0.0, 1.0, -1.0), 5e-324));
        // a tiny temperature that keeps every quotient finite is greedy, not refused
        Build.AssertBitIdentical(Build.Row(0.0, 1.0), Loss.Softmax(Build.Row(0.0, 1.0), 1e-300));
    }

    [Fact]
    public void NegativeControlTheTemperatureCaseReallyGivesNaN() =>
        // What Softmax would compute without its check: z − max z = ∞ − ∞.
        Assert.True(double.IsNaN((2.0 / 5e-324) - (2.0 / 5e-324)));

    [Theory]
    [MemberData(nameof(Kernels))]
    public void SampleRefusesADegenerateTemperatureAndRestoresTheState(Kernel kernel)
    {
        RNN model = new(
            Matrix<double>.Build.Dense(2, 2, 0.1), Matrix<double>.Build.DenseIdentity(2).Multiply(0.1),
            Matrix<double>.Build.DenseIdentity(2), Build.Row(0.5, -0.5)) { Kernel = kernel };
        Throws("sample: at draw 0, y / temperature is not finite (element 0 is inf)", () => Sampler.Sample(model, 0, [0.5, 0.5], 5e-324));
        Build.AssertBitIdentical(Build.Row(0.5, -0.5), model.State);
    }

    /// <summary>Finite forward and loss, infinite gradient: dh = 1e200·1 − 1e200·(−1) = 2e200, dW_xh = 2e200·1e200.</summary>
    private static RNN GradientOverflow() => new(Build.Row(1e-200), Build.Row(0.0), Build.Row(1e200, -1e200), activation: Activation.Relu);

    [Fact]
    public void BpttRefusesAnOverflowingGradient()
    {
        RNN model = GradientOverflow();
        Throws("bptt: the gradient of InputWeights is not finite (element (0, 0) is inf)", () => Bptt.Run(model, Build.Row(1e200), [1]));
        Build.AssertBitIdentical(Build.Row(0.0), model.State);
    }

    [Fact]
    public void NegativeControlTheGradientCaseReallyOverflows() =>
        // dInputWeights = x·da without the check: 1e200 · 2e200.
        Assert.Equal(double.PositiveInfinity, 1e200 * ((1e200 * 1.0) + (-1e200 * -1.0)));

    private static Gradients BigGradients() =>
        new(Build.Row(1.0), Build.Row(1e200), Build.Row(2.0), null, null, Build.Row(0.0));

    [Fact]
    public void ClipGlobalNormRefusesAnInfiniteNormAndLeavesTheGradients()
    {
        Gradients gradients = BigGradients();
        Throws("clip: the gradient norm is not finite (inf)", () => Bptt.ClipGlobalNorm(gradients, 5.0));
        Assert.Equal([1.0, 1e200, 2.0], [gradients.InputWeights.At(0, 0), gradients.RecurrentWeights.At(0, 0), gradients.OutputWeights.At(0, 0)]);
    }

    [Fact]
    public void NegativeControlWithoutTheNormCheckTheGradientsWouldBeZeroed() =>
        // maxNorm / ∞ = 0: the scale ClipGlobalNorm would apply without its check.
        Assert.Equal(0.0, 1.0 * (5.0 / Math.Sqrt((1.0 * 1.0) + (1e200 * 1e200) + (2.0 * 2.0))));

    private static RNN SmallModel() => new(Build.Row(0.5), Build.Row(0.25), Build.Row(-1e308), hiddenBias: Build.Row(0.125));

    private static Gradients OnesGradients() => new(Build.Row(1.0), Build.Row(1.0), Build.Row(1.0), Build.Row(1.0), null, Build.Row(0.0));

    [Fact]
    public void SgdRefusesAnInfiniteUpdateAndWritesNothing()
    {
        // SGD(1e308): InputWeights and RecurrentWeights come first; OutputWeights = −1e308 − 1e308 = −∞ stops it all.
        RNN model = SmallModel();
        Matrix<double>[] before = Build.Snapshot(model);
        Throws("sgd: the update of OutputWeights is not finite (element (0, 0) is -inf)", () => new Sgd(1e308).Step(model, OnesGradients()));
        Build.AssertUnchanged(before, model);
    }

    [Fact]
    public void NegativeControlWithoutTheSgdCheckInfinityPasses()
    {
        RNN model = SmallModel();
        new Sgd(1e308) { CheckResults = false }.Step(model, OnesGradients());
        Assert.Equal(double.NegativeInfinity, model.OutputWeights.At(0, 0));
    }

    [Fact]
    public void AdagradRefusesAnInfiniteMemoryAndChangesNothing()
    {
        RNN model = SmallModel();
        var optimizer = new Adagrad(0.1);
        optimizer.Step(new RNN(Build.Row(0.5), Build.Row(0.25), Build.Row(1.0), hiddenBias: Build.Row(0.125)), OnesGradients());
        IReadOnlyDictionary<string, Matrix<double>> memory = optimizer.Memory;
        Matrix<double>[] before = Build.Snapshot(model);
        Gradients gradients = OnesGradients();
        gradients.RecurrentWeights.At(0, 0, 1e200);  // g² overflows
        Throws("adagrad: the memory of RecurrentWeights is not finite (element (0, 0) is inf)", () => optimizer.Step(model, gradients));
        Build.AssertUnchanged(before, model);
        foreach ((string name, Matrix<double> m) in memory)
        {
            Build.AssertBitIdentical(m, optimizer.Memory[name]);
        }
    }

    [Fact]
    public void AdagradRefusesAnInfiniteUpdateAndCreatesNoMemory()
    {
        RNN model = SmallModel();
        Matrix<double>[] before = Build.Snapshot(model);
        var optimizer = new Adagrad(1e308);
        Throws("adagrad: the update of OutputWeights is not finite (element (0, 0) is -inf)", () => optimizer.Step(model, OnesGradients()));
        Build.AssertUnchanged(before, model);
        Assert.Empty(optimizer.Memory);
    }

    [Fact]
    public void NegativeControlWithoutTheAdagradCheckInfinityPasses()
    {
        RNN model = SmallModel();
        new Adagrad(1e308) { CheckResults = false }.Step(model, OnesGradients());
        Assert.Equal(double.NegativeInfinity, model.OutputWeights.At(0, 0));
    }

    [Fact]
    public void TheExceptionIsAnArithmeticException() =>
        Assert.IsAssignableFrom<ArithmeticException>(new NonFiniteResultException("x"));
}
