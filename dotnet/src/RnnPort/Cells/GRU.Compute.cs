using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>The GRU's arithmetic on raw arrays, in the order docs/exact-mode.md ("GRU") lists.</summary>
public sealed partial class GRU
{
    /// <summary>Whether a step or a sequence refuses a non-finite result. NumPy twin: <c>GRU._check_results</c>.</summary>
    internal bool CheckResults { get; set; } = true;

    /// <summary>σ(a) = 1 / (1 + exp(−a)) with the C library's exp; exp(−a) = ∞ gives exactly 0.</summary>
    internal static double GruSigmoid(double a) => 1.0 / (1.0 + Math.Exp(-a));

    /// <summary>
    /// One step: gi = x·inputWeights (+ inputBias), gh = h·recurrentWeights (+ recurrentBias), each sum
    /// from +0.0 in index order (SequentialKernels), then per unit j (<see cref="GatedSteps.Gru"/>, <see cref="Gates(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double})"/>):
    /// <c>r = σ(gi_r + gh_r)</c>, <c>z = σ(gi_z + gh_z)</c>, <c>n = tanh(gi_n + r·gh_n)</c>,
    /// <c>next = ((1 − z)·n) + (z·h)</c>.
    /// </summary>
    /// <param name="h">H values, the previous state; must not overlap <paramref name="next"/> (both cores read all of it).</param>
    /// <param name="x">I values.</param>
    /// <param name="gi">Scratch, 3H: receives gi.</param>
    /// <param name="gh">Scratch, 3H: receives gh (its n block is BPTT's <c>W_hn h + b_hn</c>).</param>
    /// <param name="r">H: receives the reset gate.</param>
    /// <param name="z">H: receives the update gate.</param>
    /// <param name="n">H: receives the candidate.</param>
    /// <param name="next">H: receives the new state.</param>
    /// <param name="weights">The layer's weights (I×3H, H×3H, biases): the cell's, or a <see cref="RecurrentStack"/> GRU layer's.</param>
    /// <param name="descending">Read the recurrent weights' panels in reverse order (<see cref="GatedSteps"/>; no bit changes).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Step(LayerWeights weights, ReadOnlySpan<double> h, ReadOnlySpan<double> x, Span<double> gi, Span<double> gh,
                              Span<double> r, Span<double> z, Span<double> n, Span<double> next, bool descending = false)
    {
        SequentialKernels.RowTimesPacked(x, weights.InputPacked, gi);
        LayerWeights.AddBias(gi, weights.InputBiasData);
        GatedSteps.Gru(weights, gi, h, gh, r, z, n, next, descending);
    }

    /// <summary>
    /// The element-wise part of a step, after the two projections gi and gh (3H each), per unit j:
    /// <c>r = σ(gi_r + gh_r)</c>, <c>z = σ(gi_z + gh_z)</c>, <c>n = tanh(gi_n + r·gh_n)</c>,
    /// <c>next = ((1 − z)·n) + (z·h)</c>. Shared by <c>Step</c> (through <see cref="GatedSteps"/>) and the batched pass (GRU.Batch.cs).
    /// </summary>
    /// <param name="gi">3H, the input projection.</param>
    /// <param name="gh">3H, the recurrent projection.</param>
    /// <param name="h">H, the previous state (may be <paramref name="next"/>: element j is read before it is written).</param>
    /// <param name="r">H: receives the reset gate.</param>
    /// <param name="z">H: receives the update gate.</param>
    /// <param name="n">H: receives the candidate.</param>
    /// <param name="next">H: receives the new state.</param>
    internal static void Gates(ReadOnlySpan<double> gi, ReadOnlySpan<double> gh, ReadOnlySpan<double> h,
                               Span<double> r, Span<double> z, Span<double> n, Span<double> next) =>
        Gates(gi, gh, h, r, z, n, next, 0, next.Length);

    /// <summary>
    /// <see cref="Gates(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double})"/>
    /// for units [from, to) alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Gates(ReadOnlySpan<double> gi, ReadOnlySpan<double> gh, ReadOnlySpan<double> h,
                               Span<double> r, Span<double> z, Span<double> n, Span<double> next, int from, int to)
    {
        int hidden = next.Length;
        for (int j = from; j < to; j++)
        {
            double rj = GruSigmoid(gi[j] + gh[j]);
            double zj = GruSigmoid(gi[hidden + j] + gh[hidden + j]);
            double nj = Math.Tanh(gi[2 * hidden + j] + (rj * gh[2 * hidden + j]));
            r[j] = rj;
            z[j] = zj;
            n[j] = nj;
            next[j] = ((1.0 - zj) * nj) + (zj * h[j]);
        }
    }

    /// <summary><c>y = h·outputWeights (+ outputBias)</c>, the bias added to the finished sum.</summary>
    private void Output(ReadOnlySpan<double> h, Span<double> y)
    {
        SequentialKernels.RowTimesPacked(h, _outputPacked, y);
        LayerWeights.AddBias(y, _outputBiasData);
    }
}
