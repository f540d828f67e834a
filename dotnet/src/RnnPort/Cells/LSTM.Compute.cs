using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>How an LSTM step is computed, in the order docs/exact-mode.md ("LSTM") fixes for both languages.</summary>
public sealed partial class LSTM
{
    /// <summary>Whether results are refused when not finite; off only in tests that show it is needed. NumPy twin: <c>LSTM._check_results</c>.</summary>
    internal bool CheckResults { get; set; } = true;

    /// <summary>Rewrites the packed weight copies from the live parameters: at construction and in ApplyUpdate.</summary>
    private void PackWeights()
    {
        _layer.Pack();
        SequentialKernels.Pack(ColumnMajor.Storage(_outputWeights), HiddenSize, OutputSize, _outputPacked);
    }

    /// <summary>σ(z) = 1 / (1 + exp(−z)) with the C library's exp; exp(−z) = +∞ gives exactly +0.0. NumPy twin: <c>lstm.sigmoid</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double LstmSigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    /// <summary>
    /// One step on raw arrays: <c>a = (x·W_in (+ b_ih)) + (h·W_rec (+ b_hh))</c>, each product summed
    /// k ascending from +0.0; i, f, o = σ, g = tanh; <c>c' = (f·c) + (i·g)</c>; <c>h' = o·tanh(c')</c>.
    /// </summary>
    /// <param name="x">I values.</param>
    /// <param name="h">H values; must not overlap <paramref name="hNext"/>.</param>
    /// <param name="c">H values; element j is read before cNext's element j is written (they may be the same).</param>
    /// <param name="work">8H scratch: input projection, then the gates [i | f | g | o]; recurrent projection.</param>
    /// <param name="hNext">Receives h', H values.</param>
    /// <param name="cNext">Receives c', H values.</param>
    /// <param name="gates">Empty, or 4H values that receive [i | f | g | o] after their nonlinearities (for BPTT).</param>
    internal void Cell(ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> c, Span<double> work,
                       Span<double> hNext, Span<double> cNext, Span<double> gates) =>
        Cell(_layer, x, h, c, work, hNext, cNext, gates);

    /// <summary>The step of <see cref="Cell(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double})"/> on any layer's weights: the cell's and every <see cref="RecurrentStack"/> LSTM layer's.</summary>
    /// <param name="weights">The layer's weights (I×4H, H×4H, biases).</param>
    /// <param name="x">I values.</param>
    /// <param name="h">H values; must not overlap <paramref name="hNext"/> (both cores read all of it, <see cref="GatedSteps"/>).</param>
    /// <param name="c">H values (may be <paramref name="cNext"/>).</param>
    /// <param name="work">8H scratch.</param>
    /// <param name="hNext">Receives h'.</param>
    /// <param name="cNext">Receives c'.</param>
    /// <param name="gates">Empty, or 4H values that receive [i | f | g | o].</param>
    /// <param name="descending">Read the recurrent weights' panels in reverse order (<see cref="GatedSteps"/>; no bit changes).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Cell(LayerWeights weights, ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> c, Span<double> work,
                              Span<double> hNext, Span<double> cNext, Span<double> gates, bool descending = false)
    {
        int four = 4 * h.Length;
        Span<double> a = work[..four], recurrent = work.Slice(four, four);
        SequentialKernels.RowTimesPacked(x, weights.InputPacked, a);
        LayerWeights.AddBias(a, weights.InputBiasData);
        GatedSteps.Lstm(weights, a, h, c, recurrent, hNext, cNext, descending);
        if (!gates.IsEmpty)
        {
            a.CopyTo(gates);
        }
    }

    /// <summary>
    /// The element-wise part of a step, after the two projections: <c>a = gi + gh</c>, then i, f, o = σ and
    /// g = tanh in place, <c>c' = (f·c) + (i·g)</c>, <c>h' = o·tanh(c')</c>. Shared by <see cref="Cell(LayerWeights, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double}, bool)"/>
    /// (through <see cref="GatedSteps"/>) and the batched pass (LSTM.Batch.cs), so one row of a batch is this very arithmetic.
    /// </summary>
    /// <param name="a">4H: the input projection gi on entry, the gates [i | f | g | o] on return.</param>
    /// <param name="recurrent">4H: the recurrent projection gh.</param>
    /// <param name="c">H values (may be <paramref name="cNext"/>).</param>
    /// <param name="hNext">Receives h'.</param>
    /// <param name="cNext">Receives c'.</param>
    internal static void Gates(Span<double> a, ReadOnlySpan<double> recurrent, ReadOnlySpan<double> c, Span<double> hNext, Span<double> cNext) =>
        Gates(a, recurrent, c, hNext, cNext, 0, hNext.Length);

    /// <summary>
    /// <see cref="Gates(Span{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double})"/> for units
    /// [from, to) alone: their elements of each gate block of <paramref name="a"/>, and their c' and h'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Gates(Span<double> a, ReadOnlySpan<double> recurrent, ReadOnlySpan<double> c, Span<double> hNext, Span<double> cNext, int from, int to)
    {
        int hidden = hNext.Length;
        for (int g = 0; g < 4; g++)
        {
            for (int k = (g * hidden) + from, end = (g * hidden) + to; k < end; k++)
            {
                double z = a[k] + recurrent[k];
                a[k] = g == 2 ? Math.Tanh(z) : LstmSigmoid(z);
            }
        }

        for (int j = from; j < to; j++)
        {
            double i = a[j], f = a[hidden + j], g = a[2 * hidden + j], o = a[3 * hidden + j];
            double next = (f * c[j]) + (i * g);
            cNext[j] = next;
            hNext[j] = o * Math.Tanh(next);
        }
    }

    /// <summary><c>y = h·W_out (+ b_y)</c>, the bias added to the finished sum.</summary>
    internal void Output(ReadOnlySpan<double> h, Span<double> y)
    {
        SequentialKernels.RowTimesPacked(h, _outputPacked, y);
        AddBias(y, _outputBias);
    }

    private static void AddBias(Span<double> values, Matrix<double>? bias)
    {
        if (bias is null)
        {
            return;
        }

        double[] b = ColumnMajor.Storage(bias);
        for (int k = 0; k < values.Length; k++)
        {
            values[k] += b[k];
        }
    }

    /// <summary>Throws naming the first timestep whose state, cell state or output (in that order) is not finite.</summary>
    internal static void RefuseSequence(Matrix<double> outputs, Matrix<double> states, Matrix<double> cells)
    {
        if (FiniteResults.AllFinite(ColumnMajor.Storage(states)) && FiniteResults.AllFinite(ColumnMajor.Storage(cells)) && FiniteResults.AllFinite(ColumnMajor.Storage(outputs)))
        {
            return;
        }

        for (int t = 0; t < states.RowCount; t++)
        {
            foreach ((Matrix<double> m, string what) in new[] { (states, "state"), (cells, "cell state"), (outputs, "output") })
            {
                for (int j = 0; j < m.ColumnCount; j++)
                {
                    double v = m.At(t, j);
                    if (!double.IsFinite(v))
                    {
                        throw new NonFiniteResultException(string.Create(
                            CultureInfo.InvariantCulture, $"forward: the {what} at step {t} is not finite (element {j} is {FiniteResults.Value(v)})"));
                    }
                }
            }
        }
    }
}
