using System.Globalization;
using System.Runtime.CompilerServices;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>
/// How a stack computes (docs/stacks.md, "Semantics" and "Exact mode"): each direction of each layer runs its
/// cell's step over the whole sequence, the input projections of 16 timesteps at a time in one multi-row product,
/// then per step <see cref="GatedSteps.Lstm"/>, <see cref="GatedSteps.Gru"/> (the single cells' steps after
/// their input projections) or <see cref="RnnStep"/>; nothing is allocated per timestep.
/// </summary>
public sealed partial class RecurrentStack
{
    /// <summary>Whether non-finite results are refused; off only in tests that show it is needed. NumPy twin: <c>_check_results</c>.</summary>
    internal bool CheckResults { get; set; } = true;

    /// <summary>Timesteps whose input projections one multi-row product computes (as the single cells' blocks).</summary>
    private const int Block = 16;

    /// <summary>
    /// One RNN step with torch's two biases after its input projection: <c>a = (x·W_ih (+ b_ih)) + (h·W_hh (+ b_hh))</c>,
    /// each product summed from +0.0 in index order, then <c>f(a)</c> (C's tanh, or <c>a &gt; 0 ? a : +0.0</c>). Without
    /// biases the single <see cref="RNN"/>'s bits (its <c>h·W_hh + x·W_ih</c>: the addition commutes).
    /// </summary>
    /// <param name="weights">The layer's weights (I×H, H×H, biases).</param>
    /// <param name="a">H values: <c>x·W_ih (+ b_ih)</c>.</param>
    /// <param name="h">H values, read in full before <paramref name="next"/> is written (they may be the same).</param>
    /// <param name="recurrent">H scratch.</param>
    /// <param name="next">Receives h'.</param>
    /// <param name="tanh">f = tanh, else ReLU.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RnnStep(LayerWeights weights, ReadOnlySpan<double> a, ReadOnlySpan<double> h, Span<double> recurrent, Span<double> next, bool tanh)
    {
        SequentialKernels.RowTimesPacked(h, weights.RecurrentPacked, recurrent);
        LayerWeights.AddBias(recurrent, weights.RecurrentBiasData);
        for (int j = 0; j < next.Length; j++)
        {
            double v = a[j] + recurrent[j];
            next[j] = tanh ? Math.Tanh(v) : (v > 0.0 ? v : 0.0);
        }
    }

    /// <summary>
    /// The layers and the output layer over <paramref name="xs"/> from the given states: no checks, nothing of
    /// the model written. The shared core of <c>Forward</c>, <c>TimeStep</c>, <c>LayerOutputs</c> and <see cref="StackBptt"/>.
    /// </summary>
    /// <param name="xs">T×I row-major (kept by the result).</param>
    /// <param name="steps">T.</param>
    /// <param name="h0">(L·D)×H row-major start states.</param>
    /// <param name="c0">The LSTM's (L·D)×H start cell states, else null.</param>
    /// <param name="tape">Whether to keep what BPTT needs (gates, cell states).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal StackRun Run(double[] xs, int steps, double[] h0, double[]? c0, bool tape)
    {
        int hidden = HiddenSize, directions = Directions, width = directions * hidden, layers = NumLayers, outputSize = OutputSize;
        int rows = layers * directions;
        bool lstm = Gates == 4, gru = Gates == 3, tanh = Nonlinearity == Activation.Tanh;
        var outputsPerLayer = new double[layers][];
        double[][]? tapes = tape && Gates != 1 ? new double[rows][] : null;
        double[][]? cellTapes = tape && lstm ? new double[rows][] : null;
        var finalStates = (double[])h0.Clone();
        double[]? finalCells = c0 is null ? null : (double[])c0.Clone();

        // One scratch array per call: the state and the next state (distinct: both cores read all of the state,
        // GatedSteps), the cell state, the step's work (the LSTM's recurrent projection, the GRU's gh, r, z, n:
        // at most 9H) and a block's input projections (Block·G·H).
        int gated = Gates * hidden;
        var scratch = new double[(12 * hidden) + (Block * gated)];
        Span<double> h = scratch.AsSpan(0, hidden), c = scratch.AsSpan(hidden, hidden), work = scratch.AsSpan(2 * hidden, 9 * hidden);
        Span<double> next = scratch.AsSpan(11 * hidden, hidden), projected = scratch.AsSpan(12 * hidden, Block * gated);
        double[] input = xs;
        int inputSize = InputSize;
        for (int k = 0; k < layers; k++)
        {
            var output = new double[steps * width];
            for (int d = 0; d < directions; d++)
            {
                int row = k * directions + d;
                LayerWeights w = _layers[row];
                double[]? gateTape = null, cellTape = null;
                if (tapes is not null)
                {
                    tapes[row] = gateTape = new double[steps * 4 * hidden];
                }

                if (cellTapes is not null)
                {
                    cellTapes[row] = cellTape = new double[steps * hidden];
                }

                h0.AsSpan(row * hidden, hidden).CopyTo(h);
                if (lstm)
                {
                    c0!.AsSpan(row * hidden, hidden).CopyTo(c);
                }

                for (int n0 = 0; n0 < steps; n0 += Block)
                {
                    // The block's input projections in one multi-row product: its timesteps are input rows
                    // lo … lo + count − 1 in either direction (element for element the single-row product).
                    int count = Math.Min(Block, steps - n0), lo = d == 0 ? n0 : steps - n0 - count;
                    PackedProduct.RowsTimesPacked<Separate>(input.AsSpan(lo * inputSize, count * inputSize), count, w.InputPacked, projected[..(count * gated)]);
                    for (int n = n0; n < n0 + count; n++)
                    {
                        int t = d == 0 ? n : steps - 1 - n;
                        Span<double> a = projected.Slice((t - lo) * gated, gated);
                        LayerWeights.AddBias(a, w.InputBiasData);
                        bool descending = (n & 1) == 1;
                        if (lstm)
                        {
                            GatedSteps.Lstm(w, a, h, c, work[..gated], next, c, descending);  // LSTM.Cell after its input projection
                            if (gateTape is not null)
                            {
                                a.CopyTo(gateTape.AsSpan(t * 4 * hidden, 4 * hidden));
                            }

                            if (cellTape is not null)
                            {
                                c.CopyTo(cellTape.AsSpan(t * hidden, hidden));
                            }
                        }
                        else if (gru)
                        {
                            Span<double> gates = gateTape is null ? work.Slice(6 * hidden, 3 * hidden) : gateTape.AsSpan(t * 4 * hidden, 3 * hidden);
                            Span<double> gh = work.Slice(3 * hidden, 3 * hidden);
                            GatedSteps.Gru(w, a, h, gh, gates[..hidden], gates.Slice(hidden, hidden), gates.Slice(2 * hidden, hidden), next, descending);  // GRU.Step likewise
                            if (gateTape is not null)
                            {
                                gh.Slice(2 * hidden, hidden).CopyTo(gateTape.AsSpan(t * 4 * hidden + 3 * hidden, hidden));
                            }
                        }
                        else
                        {
                            RnnStep(w, a, h, work[..hidden], next, tanh);
                        }

                        Span<double> previous = h;  // the new state becomes the state; the old one's storage the next state's
                        h = next;
                        next = previous;

                        h.CopyTo(output.AsSpan(t * width + d * hidden, hidden));  // copied, no arithmetic
                    }
                }

                h.CopyTo(finalStates.AsSpan(row * hidden, hidden));
                if (lstm)
                {
                    c.CopyTo(finalCells.AsSpan(row * hidden, hidden));
                }
            }

            outputsPerLayer[k] = output;
            input = output;
            inputSize = width;
        }

        double[] top = input, ys;
        if (_outputWeights is null)
        {
            ys = steps == 0 ? [] : (double[])top.Clone();
        }
        else
        {
            ys = new double[steps * outputSize];
            double[]? bias = _outputBias is null ? null : ColumnMajor.Storage(_outputBias);
            for (int t = 0; t < steps; t++)
            {
                Span<double> y = ys.AsSpan(t * outputSize, outputSize);
                SequentialKernels.RowTimesPacked(top.AsSpan(t * width, width), _outputPacked, y);
                LayerWeights.AddBias(y, bias);
            }
        }

        return new StackRun(steps, xs, outputsPerLayer, ys, finalStates, finalCells, tapes, cellTapes);
    }

    /// <summary>
    /// Throws <see cref="NonFiniteResultException"/> <c>"{operation}: the {what} at step {t} is not finite (element j is …)"</c>
    /// for the first step t holding NaN or ±Infinity, naming the first of: layer 0's state, its cell state, layer 1's …,
    /// the output (each row D·H wide: [forward | reverse]). NumPy twin: <c>_forward_from</c>'s rule.
    /// </summary>
    internal void RefuseNonFinite(StackRun run, string operation)
    {
        if (!CheckResults)
        {
            return;
        }

        Lanes screen = Lanes.Zero;
        foreach (double[] o in run.LayerOutputs)
        {
            FiniteResults.Screen(o, ref screen);
        }

        FiniteResults.Screen(run.Outputs, ref screen);
        if (run.CellStates is not null)
        {
            foreach (double[] c in run.CellStates)
            {
                FiniteResults.Screen(c, ref screen);
            }
        }

        if (FiniteResults.Passed(screen))
        {
            return;
        }

        int hidden = HiddenSize, width = Directions * hidden;
        for (int t = 0; t < run.Steps; t++)
        {
            for (int k = 0; k < NumLayers; k++)
            {
                RefuseRow(run.LayerOutputs[k].AsSpan(t * width, width), operation, $"state of layer {Guard.Number(k)}", t);
                if (run.CellStates is not null)
                {
                    for (int d = 0; d < Directions; d++)
                    {
                        int j = FiniteResults.FirstNonFinite(run.CellStates[k * Directions + d].AsSpan(t * hidden, hidden));
                        if (j >= 0)
                        {
                            // the row [c_forward | c_reverse]: the forward half is known finite when d = 1
                            Throw(operation, $"cell state of layer {Guard.Number(k)}", t, d * hidden + j, run.CellStates[k * Directions + d][t * hidden + j]);
                        }
                    }
                }
            }

            RefuseRow(run.Outputs.AsSpan(t * OutputSize, OutputSize), operation, "output", t);
        }
    }

    private static void RefuseRow(ReadOnlySpan<double> row, string operation, string what, int t)
    {
        int j = FiniteResults.FirstNonFinite(row);
        if (j >= 0)
        {
            Throw(operation, what, t, j, row[j]);
        }
    }

    private static void Throw(string operation, string what, int t, int j, double value) =>
        throw new NonFiniteResultException(string.Create(
            CultureInfo.InvariantCulture, $"{operation}: the {what} at step {t} is not finite (element {j} is {FiniteResults.Value(value)})"));
}
