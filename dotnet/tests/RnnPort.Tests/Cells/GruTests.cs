using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// The C# GRU on its own: the equations against a scalar transcription of docs/exact-mode.md ("GRU"),
/// TimeStep against Forward, and bad input. Bit parity with NumPy is parity_tests/test_gru_parity.py.
/// </summary>
public sealed class GruTests
{
    /// <summary>A seeded GRU in the row convention: I×3H, H×3H, H×O, h0, and the three biases when asked.</summary>
    internal static GRU Network(int inputs, int hidden, int outputs, int seed, bool biases = true) => new(
        Build.Random(inputs, 3 * hidden, seed, 0.8),
        Build.Random(hidden, 3 * hidden, seed + 1, 0.8),
        Build.Random(hidden, outputs, seed + 2),
        Build.Random(1, hidden, seed + 3, 0.9),
        biases ? Build.Random(1, 3 * hidden, seed + 4) : null,
        biases ? Build.Random(1, 3 * hidden, seed + 5) : null,
        biases ? Build.Random(1, outputs, seed + 6) : null);

    /// <summary>The spec, one scalar operation at a time, on the model's own (copied) parameters.</summary>
    private static (double[] Output, double[] State) SpecStep(GRU m, double[] x, double[] h)
    {
        int hidden = m.HiddenSize;
        double[] Affine(Matrix<double> w, double[] v, Matrix<double>? b)
        {
            var result = new double[w.ColumnCount];
            for (int k = 0; k < w.ColumnCount; k++)
            {
                double acc = 0.0;
                for (int i = 0; i < v.Length; i++)
                {
                    acc += w[i, k] * v[i];
                }

                result[k] = b is null ? 0.0 + acc : (0.0 + acc) + b[0, k];
            }

            return result;
        }

        static double Sigma(double a) => 1.0 / (1.0 + Math.Exp(-a));
        double[] gi = Affine(m.InputWeights, x, m.InputBias), gh = Affine(m.RecurrentWeights, h, m.RecurrentBias);
        var next = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double r = Sigma(gi[j] + gh[j]), z = Sigma(gi[hidden + j] + gh[hidden + j]);
            double n = Math.Tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
            next[j] = (1.0 - z) * n + z * h[j];
        }

        return (Affine(m.OutputWeights, next, m.OutputBias), next);
    }

    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(3, 4, 2, true)]
    [InlineData(5, 2, 7, false)]
    public void TimeStepIsTheSpecBitForBit(int inputs, int hidden, int outputs, bool biases)
    {
        GRU model = Network(inputs, hidden, outputs, seed: 10 * inputs + hidden, biases);
        Matrix<double> xs = Build.Random(6, inputs, 99, 2.0);
        double[] h = model.State.Row(0).ToArray();
        for (int t = 0; t < xs.RowCount; t++)
        {
            (double[] y, double[] next) = SpecStep(model, xs.Row(t).ToArray(), h);
            Build.AssertBitIdentical(Build.Row(y), model.TimeStep(xs.SubMatrix(t, 1, 0, inputs)));
            Build.AssertBitIdentical(Build.Row(next), model.State);
            h = next;
        }
    }

    [Theory]
    [InlineData(16, 150, 5, 37)]  // blocks of 16 steps, the last one partial; the two-core split with narrower last panels
    [InlineData(8, 256, 3, 18)]   // the split at H = 256, the benchmark's size
    public void ForwardIsTheSpecBitForBit(int inputs, int hidden, int outputs, int steps)
    {
        GRU model = Network(inputs, hidden, outputs, seed: inputs + hidden);
        Matrix<double> xs = Build.Random(steps, inputs, 5, 2.0);
        double[] h = model.State.Row(0).ToArray();
        (Matrix<double> ys, Matrix<double> hs) = model.Forward(xs);
        for (int t = 0; t < steps; t++)
        {
            (double[] y, double[] next) = SpecStep(model, xs.Row(t).ToArray(), h);
            Build.AssertBitIdentical(Build.Row(y), ys.SubMatrix(t, 1, 0, outputs));
            Build.AssertBitIdentical(Build.Row(next), hs.SubMatrix(t, 1, 0, hidden));
            h = next;
        }
    }

    [Fact]
    public void ForwardEqualsTimeStepsAndEndsAtTheLastState()
    {
        GRU a = Network(3, 5, 2, seed: 1), b = Network(3, 5, 2, seed: 1);
        Matrix<double> xs = Build.Random(12, 3, 7, 1.5);
        (Matrix<double> ys, Matrix<double> hs) = a.Forward(xs);
        for (int t = 0; t < xs.RowCount; t++)
        {
            Build.AssertBitIdentical(ys.SubMatrix(t, 1, 0, 2), b.TimeStep(xs.SubMatrix(t, 1, 0, 3)));
            Build.AssertBitIdentical(hs.SubMatrix(t, 1, 0, 5), b.State);
        }

        Build.AssertBitIdentical(hs.SubMatrix(11, 1, 0, 5), a.State);
        a.Reset();
        Build.AssertBitIdentical(a.InitialState, a.State);
        (Matrix<double> none, Matrix<double> noStates) = a.Forward(Matrix<double>.Build.Dense(0, 3));
        Assert.Equal((0, 2, 0, 5), (none.RowCount, none.ColumnCount, noStates.RowCount, noStates.ColumnCount));
    }

    [Fact]
    public void SaturatedGatesGiveZeroAndOneWithoutNaN()
    {
        // gi_r = −800: exp(800) = ∞, σ = 0 exactly; gi_z = +800: σ = 1, so h' = h.
        var model = new GRU(Build.Rows([-800.0, 800.0, 0.5]), Build.Rows([0.0, 0.0, 0.0]), Build.Rows([1.0]), Build.Row(0.25));
        Build.AssertBitIdentical(Build.Row(0.25), model.TimeStep(Build.Row(1.0)));
        Assert.Equal(0.0, GRU.GruSigmoid(-800.0));
        Assert.Equal(1.0, GRU.GruSigmoid(800.0));
    }

    public static TheoryData<string, Func<GRU>, string> BadConstructors => new()
    {
        { "recurrentWeights", () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 11, 0), Build.Random(4, 2, 0)), "recurrentWeights has shape 4×11, expected 4×12" },
        { "inputWeights", () => new GRU(Build.Random(3, 9, 0), Build.Random(4, 12, 0), Build.Random(4, 2, 0)), "inputWeights has shape 3×9, expected I×12" },
        { "outputWeights", () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 12, 0), Build.Random(3, 2, 0)), "outputWeights has shape 3×2, expected 4×2" },
        { "initialState", () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 12, 0), Build.Random(4, 2, 0), Build.Random(1, 3, 0)), "initialState has shape 1×3, expected 1×4" },
        { "inputBias", () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 12, 0), Build.Random(4, 2, 0), inputBias: Build.Random(1, 4, 0)), "inputBias has shape 1×4, expected 1×12" },
        { "recurrentBias", () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 12, 0), Build.Random(4, 2, 0), recurrentBias: Build.Random(1, 4, 0)), "recurrentBias has shape 1×4, expected 1×12" },
        { "outputBias", () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 12, 0), Build.Random(4, 2, 0), outputBias: Build.Random(1, 4, 0)), "outputBias has shape 1×4, expected 1×2" },
    };

    [Theory]
    [MemberData(nameof(BadConstructors))]
    public void ConstructorRejectsShapesNamingBoth(string paramName, Func<GRU> construct, string message)
    {
        ShapeMismatchException error = Assert.Throws<ShapeMismatchException>(() => construct());
        Assert.Equal(paramName, error.ParamName);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void ConstructorRejectsNonFiniteValuesAndNulls()
    {
        Matrix<double> bad = Build.Random(1, 12, 0);
        bad[0, 11] = double.PositiveInfinity;
        NonFiniteValueException error = Assert.Throws<NonFiniteValueException>(
            () => new GRU(Build.Random(3, 12, 0), Build.Random(4, 12, 0), Build.Random(4, 2, 0), recurrentBias: bad));
        Assert.Equal("recurrentBias", error.ParamName);
        Assert.Throws<ArgumentNullException>(() => new GRU(null!, Build.Random(4, 12, 0), Build.Random(4, 2, 0)));
    }

    [Fact]
    public void RejectedCallsLeaveTheStateAlone()
    {
        GRU model = Network(3, 4, 2, seed: 5);
        model.Forward(Build.Random(3, 3, 1));
        Matrix<double> before = model.State;
        Assert.Throws<ShapeMismatchException>(() => model.TimeStep(Build.Row(1.0, 2.0)));
        Assert.Throws<NonFiniteValueException>(() => model.TimeStep(Build.Row(1.0, double.NaN, 0.0)));
        Assert.Throws<ShapeMismatchException>(() => model.Forward(Build.Random(2, 2, 0)));
        Assert.Throws<ShapeMismatchException>(() => model.State = Build.Row(0.0, 0.0, 0.0));
        Assert.Throws<NonFiniteValueException>(() => model.State = Build.Row(0.0, double.NaN, 0.0, 0.0));
        Build.AssertBitIdentical(before, model.State);
        Matrix<double> copy = model.State;
        copy[0, 0] = 99.0;  // the getter copies
        Build.AssertBitIdentical(before, model.State);
    }

    /// <summary>W_ih's n block +1e308 against W_hh's −1e308: gi_n + r·gh_n = ∞ − ∞ = NaN in the state.</summary>
    private static GRU Overflowing(bool state)
    {
        Matrix<double> inputWeights = Matrix<double>.Build.Dense(2, 6), recurrentWeights = Matrix<double>.Build.Dense(2, 6);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                inputWeights[i, 2 + j] = 1000.0;  // z = 1: h' = h = (1, 1), y = 2e308 = ∞
                if (state)
                {
                    inputWeights[i, 4 + j] = 1e308;
                    recurrentWeights[i, 4 + j] = -1e308;
                }
            }
        }

        return new GRU(inputWeights, recurrentWeights, Matrix<double>.Build.Dense(2, 1, 1e308), Build.Row(1.0, 1.0));
    }

    [Theory]
    [InlineData(true, "step: the state is not finite (element 0 is nan)", "forward: the state at step 0 is not finite (element 0 is nan)")]
    [InlineData(false, "step: the output is not finite (element 0 is inf)", "forward: the output at step 0 is not finite (element 0 is inf)")]
    public void NonFiniteResultsAreRefusedAndTheStateKept(bool state, string stepMessage, string forwardMessage)
    {
        GRU model = Overflowing(state);
        Assert.Equal(stepMessage, Assert.Throws<NonFiniteResultException>(() => model.TimeStep(Build.Row(1.0, 1.0))).Message);
        Assert.Equal(forwardMessage, Assert.Throws<NonFiniteResultException>(() => model.Forward(Build.Rows([1.0, 1.0], [1.0, 1.0]))).Message);
        Build.AssertBitIdentical(Build.Row(1.0, 1.0), model.State);
        model.CheckResults = false;  // negative control: without the check the NaN would be kept
        model.TimeStep(Build.Row(1.0, 1.0));
        Assert.Equal(state, double.IsNaN(model.State[0, 0]));
    }
}
