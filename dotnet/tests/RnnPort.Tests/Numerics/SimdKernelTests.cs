using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// <see cref="Kernel.Simd"/> against <see cref="Kernel.Sequential"/>, one teacher-forced step at a time
/// (both start every step from the sequential state, so a step's difference is that step's rounding).
/// The bound, per element, with u = 2⁻⁵³ and γₙ = nu/(1 − nu):
/// <list type="bullet">
/// <item>Pre-activation <c>a_j = (Σ_k h_k·R_kj + Σ_i x_i·W_ij) + b_j</c> is a dot product of n = H + I + 1
/// terms (b_j·1), summed by each kernel in some order; any order, fused multiply-adds included, is within
/// <c>γₙ·S_j</c>, <c>S_j = Σ|h||R| + Σ|x||W| + |b|</c>, of the exact value, so the kernels differ by at most
/// <c>2γₙ·S_j</c>.</item>
/// <item>State: relu is exact and 1-Lipschitz, so <c>|Δh_j| ≤ 2γₙ·S_j</c>. tanh is 1-Lipschitz and glibc's
/// <c>tanh</c> is within 2 ULP of the true value (glibc's published libm-test-ulps), and the fast kernel's
/// vectorised tanh within 4·u of glibc's in absolute terms (<see cref="VectorTanhTests"/>), so
/// <c>|Δh_j| ≤ 2γₙ·S_j + 4·ulp(max |h_j|) + 4u</c>.</item>
/// <item>Output: each side is within <c>γ_{H+1}·(Σ_j|h_j||V_jo| + |c_o|)</c> of the exact product of its
/// own state, and the exact products differ by at most <c>Σ_j|Δh_j||V_jo|</c>.</item>
/// </list>
/// Bounds computed in floating point are inflated by the factor 1 + 4γₙ to cover their own rounding.
/// </summary>
public sealed class SimdKernelTests
{
    private const double U = 1.1102230246251565e-16;  // 2⁻⁵³, the unit roundoff of binary64

    [Theory]
    [InlineData(1, 1, 1, Activation.Tanh, false, 1)]
    [InlineData(5, 3, 4, Activation.Relu, true, 2)]
    [InlineData(64, 64, 64, Activation.Tanh, true, 3)]
    [InlineData(64, 256, 64, Activation.Relu, false, 4)]
    [InlineData(33, 1024, 17, Activation.Tanh, true, 5)]
    [InlineData(64, 1024, 64, Activation.Relu, true, 6)]
    public void CanStayWithinTheRoundingBoundOfTheSequentialKernel(int i, int h, int o, Activation activation, bool biases, int seed)
    {
        RNN sequential = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        RNN simd = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        simd.Kernel = Kernel.Simd;
        Matrix<double> inputs = Build.Random(20, i, seed + 7, scale: 2.0);
        Matrix<double> recurrent = sequential.RecurrentWeights, input = sequential.InputWeights, output = sequential.OutputWeights;
        Matrix<double>? hiddenBias = sequential.HiddenBias, outputBias = sequential.OutputBias;
        int n = h + i + 1;
        double gammaN = Gamma(n), gammaOut = Gamma(h + 1), inflate = 1.0 + 4.0 * gammaN;
        double worstUsed = 0.0;

        for (int t = 0; t < inputs.RowCount; t++)
        {
            Matrix<double> start = sequential.State, x = inputs.SubMatrix(t, 1, 0, i);
            simd.State = start;
            Matrix<double> ySequential = sequential.TimeStep(x), ySimd = simd.TimeStep(x);
            Matrix<double> hSequential = sequential.State, hSimd = simd.State;

            var stateBound = new double[h];
            for (int j = 0; j < h; j++)
            {
                double s = Math.Abs(hiddenBias?.At(0, j) ?? 0.0);
                for (int k = 0; k < h; k++)
                {
                    s += Math.Abs(start.At(0, k)) * Math.Abs(recurrent.At(k, j));
                }

                for (int k = 0; k < i; k++)
                {
                    s += Math.Abs(x.At(0, k)) * Math.Abs(input.At(k, j));
                }

                stateBound[j] = 2.0 * gammaN * s * inflate;
                if (activation == Activation.Tanh)
                {
                    // glibc's tanh on both sides' arguments, and the vectorised tanh's absolute error (VectorTanhTests).
                    stateBound[j] += 4.0 * Ulp(Math.Max(Math.Abs(hSequential.At(0, j)), Math.Abs(hSimd.At(0, j))))
                                     + VectorTanhTests.AbsoluteBound;
                }

                worstUsed = Math.Max(worstUsed, Check("state", t, j, hSequential.At(0, j), hSimd.At(0, j), stateBound[j]));
            }

            for (int c = 0; c < o; c++)
            {
                double bias = Math.Abs(outputBias?.At(0, c) ?? 0.0);
                double sSequential = bias, sSimd = bias, propagated = 0.0;
                for (int j = 0; j < h; j++)
                {
                    double v = Math.Abs(output.At(j, c));
                    sSequential += Math.Abs(hSequential.At(0, j)) * v;
                    sSimd += Math.Abs(hSimd.At(0, j)) * v;
                    propagated += Math.Abs(hSimd.At(0, j) - hSequential.At(0, j)) * v;
                }

                double bound = (gammaOut * (sSequential + sSimd) + propagated) * inflate;
                worstUsed = Math.Max(worstUsed, Check("output", t, c, ySequential.At(0, c), ySimd.At(0, c), bound));
            }
        }

        Assert.True(worstUsed <= 1.0, $"worst element used {worstUsed:P1} of its bound");
    }

    [Fact]
    public void CanSeeThatSimdReallySumsInAnotherOrder()
    {
        // Negative control for the test above: with H = 1024 the two orders must differ somewhere, or
        // Kernel.Simd would not be doing anything.
        RNN sequential = Build.Network(64, 1024, 64, seed: 8, nonZeroInitialState: true);
        RNN simd = Build.Network(64, 1024, 64, seed: 8, nonZeroInitialState: true);
        simd.Kernel = Kernel.Simd;
        Matrix<double> inputs = Build.Random(5, 64, seed: 9);

        Matrix<double> a = sequential.Forward(inputs).States, b = simd.Forward(inputs).States;

        Assert.Contains(
            Enumerable.Range(0, a.RowCount * a.ColumnCount),
            n => BitConverter.DoubleToInt64Bits(a.At(n % a.RowCount, n / a.RowCount)) != BitConverter.DoubleToInt64Bits(b.At(n % a.RowCount, n / a.RowCount)));
    }

    [Fact]
    public void CanDefaultToSequentialAndSwitchBackBitIdentically()
    {
        RNN model = Build.Network(70, 130, 65, seed: 10, nonZeroInitialState: true, biases: true);
        RNN reference = Build.Network(70, 130, 65, seed: 10, nonZeroInitialState: true, biases: true);
        Matrix<double> inputs = Build.Random(6, 70, seed: 11);
        Assert.Equal(Kernel.Sequential, model.Kernel);

        model.Kernel = Kernel.Simd;
        model.Forward(inputs);
        model.Reset();
        model.Kernel = Kernel.Sequential;

        (Matrix<double> outputs, Matrix<double> states) = model.Forward(inputs);
        (Matrix<double> expectedOutputs, Matrix<double> expectedStates) = reference.Forward(inputs);
        Build.AssertBitIdentical(expectedOutputs, outputs);
        Build.AssertBitIdentical(expectedStates, states);
    }

    [Fact]
    public void CanRejectUndefinedKernel()
    {
        RNN model = Build.Network(2, 3, 1, seed: 12);

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Kernel = (Kernel)7);
        Assert.Equal(Kernel.Sequential, model.Kernel);
    }

    private static double Gamma(int n) => n * U / (1.0 - n * U);

    private static double Ulp(double magnitude) => Math.BitIncrement(magnitude) - magnitude;

    /// <summary>Asserts |a − b| ≤ bound and returns the fraction of the bound used.</summary>
    private static double Check(string what, int t, int index, double expected, double actual, double bound)
    {
        double difference = Math.Abs(actual - expected);
        long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(actual) - BitConverter.DoubleToInt64Bits(expected));
        Assert.True(
            difference <= bound,
            $"{what} at step {t}, element {index}: sequential {expected:R}, simd {actual:R}, |Δ| = {difference:E3} " +
            $"({ulps} ULP) > bound {bound:E3} ({bound / Ulp(Math.Abs(expected)):F1} ULP)");
        return bound > 0.0 ? difference / bound : 0.0;
    }
}
