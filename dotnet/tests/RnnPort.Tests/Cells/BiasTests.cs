using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>The optional biases: state = f((state·W_rec + input·W_in) + hiddenBias), output = state·W_out + outputBias.</summary>
public sealed class BiasTests
{
    private const int I = 3, H = 4, O = 2;

    private static Matrix<double> Z(int rows, int columns) => Matrix<double>.Build.Dense(rows, columns);

    // The hand-worked relu case of RNNTests, with biases; every number is exact in binary64:
    //   step 1: input·W_in = [1, 3], state0·W_rec = [0, 0], + hiddenBias [0.5, -4] = [1.5, -1]
    //   relu → state1 = [1.5, 0]; state1·W_out = [1.5·2 + 0·1, 1.5·0 + 0·(-1)] = [3, 0]
    //   + outputBias [0.25, -0.75] → [3.25, -0.75]
    [Fact]
    public void CanComputeHandWorkedCaseWithBiases()
    {
        var rnn = new RNN(
            Build.Rows([0.5, -1.0], [0.25, 2.0]),
            Build.Rows([1.0, 0.5], [-0.5, 1.0]),
            Build.Rows([2.0, 0.0], [1.0, -1.0]),
            activation: Activation.Relu,
            hiddenBias: Build.Row(0.5, -4.0),
            outputBias: Build.Row(0.25, -0.75));

        Build.AssertBitIdentical(Build.Row(3.25, -0.75), rnn.TimeStep(Build.Row(1.0, 2.0)));
        Build.AssertBitIdentical(Build.Row(1.5, 0.0), rnn.State);
    }

    [Fact]
    public void CanAddHiddenBiasAfterTheSumOfBothProducts()
    {
        // state·W_rec = 1e16, input·W_in = 1, hiddenBias = 1. In binary64 the spacing at 1e16 is 2, so
        // (1e16 + 1) + 1 = 1e16 (each sum ties to even), while 1e16 + (1 + 1) = 1e16 + 2: the order shows.
        var rnn = new RNN(Build.Row(1.0), Build.Row(1.0), Build.Row(1.0), Build.Row(1e16), Activation.Relu, hiddenBias: Build.Row(1.0));

        rnn.TimeStep(Build.Row(1.0));

        Assert.Equal((1e16 + 1.0) + 1.0, rnn.State[0, 0]);
        Assert.NotEqual(1e16 + (1.0 + 1.0), rnn.State[0, 0]);
    }

    [Fact]
    public void CanLeaveBiasesOffByDefault()
    {
        RNN rnn = Build.Network(I, H, O, seed: 1);

        Assert.Null(rnn.HiddenBias);
        Assert.Null(rnn.OutputBias);
    }

    [Fact]
    public void CanHideBiasesBehindCopies()
    {
        Matrix<double> bias = Build.Random(1, H, seed: 2);
        var rnn = new RNN(Build.Random(I, H, 3), Build.Random(H, H, 4), Build.Random(H, O, 5), hiddenBias: bias, outputBias: Build.Random(1, O, 6));
        Matrix<double> before = rnn.HiddenBias!;

        bias[0, 0] = 42.0;
        rnn.HiddenBias![0, 0] = 42.0;
        rnn.OutputBias![0, 0] = 42.0;

        Build.AssertBitIdentical(before, rnn.HiddenBias!);
        Assert.NotEqual(42.0, rnn.OutputBias![0, 0]);
    }

    [Fact]
    public void CanAddOutputBiasToEveryRowOfForward()
    {
        RNN with = Build.Network(I, H, O, seed: 7, biases: true);
        var without = new RNN(with.InputWeights, with.RecurrentWeights, with.OutputWeights, hiddenBias: with.HiddenBias);
        Matrix<double> inputs = Build.Random(6, I, seed: 8);

        Matrix<double> biased = with.Forward(inputs).Outputs;
        Matrix<double> plain = without.Forward(inputs).Outputs;

        for (int t = 0; t < 6; t++)
        {
            for (int k = 0; k < O; k++)
            {
                Assert.Equal(plain[t, k] + with.OutputBias![0, k], biased[t, k]);
            }
        }
    }

    public static TheoryData<string, Func<RNN>, string, string> BiasShapeErrors => new()
    {
        { "hiddenBias", () => new RNN(Z(I, H), Z(H, H), Z(H, O), hiddenBias: Z(H, 1)), "1×4", "4×1" },
        { "hiddenBias", () => new RNN(Z(I, H), Z(H, H), Z(H, O), hiddenBias: Z(1, H + 1)), "1×4", "1×5" },
        { "outputBias", () => new RNN(Z(I, H), Z(H, H), Z(H, O), outputBias: Z(1, H)), "1×2", "1×4" },
        { "outputBias", () => new RNN(Z(I, H), Z(H, H), Z(H, O), outputBias: Z(O, 1)), "1×2", "2×1" },
    };

    [Theory]
    [MemberData(nameof(BiasShapeErrors))]
    public void RejectsBiasShapesNamingBoth(string paramName, Func<RNN> construct, string expected, string actual)
    {
        var error = Assert.Throws<ShapeMismatchException>(construct);

        Assert.Equal(paramName, error.ParamName);
        Assert.Equal((expected, actual), (error.Expected, error.Actual));
    }

    [Theory]
    [InlineData(true, double.NaN)]
    [InlineData(false, double.PositiveInfinity)]
    public void RejectsNonFiniteBiases(bool hidden, double value)
    {
        Matrix<double> hiddenBias = Z(1, H), outputBias = Z(1, O);
        (hidden ? hiddenBias : outputBias)[0, 1] = value;

        var error = Assert.Throws<NonFiniteValueException>(() => new RNN(Z(I, H), Z(H, H), Z(H, O), hiddenBias: hiddenBias, outputBias: outputBias));

        Assert.Equal(hidden ? "hiddenBias" : "outputBias", error.ParamName);
    }
}
