using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>
/// The GRU's forward pass in blocks of timesteps, as <see cref="RNN"/>'s (RNN.Recurrence.cs): the block's input
/// projections <c>x_t·W_in (+ b_ih)</c> in one multi-row product, then the recurrence one step at a time
/// (<see cref="GatedSteps.Gru"/>: product and gates split by units across two cores when large enough), then
/// the block's outputs in one multi-row product. Every element is summed and combined exactly as one
/// <see cref="Step"/> per timestep computes it, so the exact mode keeps its bits.
/// </summary>
public sealed partial class GRU
{
    /// <summary>Timesteps per block: the block's projections (16·3H doubles at H = 256: 96 KB) stay in L2.</summary>
    private const int Block = 16;

    /// <summary>
    /// The forward pass from <paramref name="start"/> over checked inputs, without touching the model's
    /// state unless <paramref name="finalState"/> is it. Shared by <see cref="Forward"/> and <c>GruBptt</c>.
    /// </summary>
    /// <param name="start">H values; read before anything is written.</param>
    /// <param name="inputs">T×I, checked.</param>
    /// <param name="finalState">Receives the last state once everything is known to be finite, or null.</param>
    /// <param name="tape">
    /// Null, or T·4H values that receive, per timestep t at <c>4H·t</c>, the r, z, n and gh_n blocks
    /// (what BPTT needs besides the states).
    /// </param>
    /// <exception cref="NonFiniteResultException">A state or an output is not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal (Matrix<double> Outputs, Matrix<double> States) ForwardFrom(
        ReadOnlySpan<double> start, Matrix<double> inputs, double[]? finalState, double[]? tape)
    {
        int steps = inputs.RowCount, inputSize = InputSize, hidden = HiddenSize, outputSize = OutputSize, three = 3 * hidden;
        Matrix<double> outputs = Matrix<double>.Build.Dense(steps, outputSize);
        Matrix<double> states = Matrix<double>.Build.Dense(steps, hidden);
        if (steps == 0)
        {
            return (outputs, states);
        }

        double[] xs = ColumnMajor.ReadOnly(inputs);  // (t, i) at t + i·T
        double[] outputData = ColumnMajor.Storage(outputs), stateData = ColumnMajor.Storage(states);
        int block = Block;  // not min(Block, T): the scratch is then the same for every T, allocated once per call
        var scratch = new double[(block * (inputSize + three + hidden + outputSize)) + hidden + (2 * three)];
        Span<double> xBlock = scratch.AsSpan(0, block * inputSize);
        Span<double> gi = scratch.AsSpan(block * inputSize, block * three);
        Span<double> hBlock = scratch.AsSpan(block * (inputSize + three), block * hidden);
        Span<double> yBlock = scratch.AsSpan(block * (inputSize + three + hidden), block * outputSize);
        int rest = block * (inputSize + three + hidden + outputSize);
        Span<double> previous = scratch.AsSpan(rest, hidden);
        Span<double> gh = scratch.AsSpan(rest + hidden, three);
        Span<double> gates = scratch.AsSpan(rest + hidden + three, three);  // r, z, n when there is no tape
        start[..hidden].CopyTo(previous);
        bool check = CheckResults, descending = false;
        Lanes screen = Lanes.Zero;
        for (int t0 = 0; t0 < steps; t0 += block)
        {
            int rows = Math.Min(block, steps - t0);
            ColumnMajor.ReadRows(xs, steps, t0, rows, xBlock[..(rows * inputSize)]);
            PackedProduct.RowsTimesPacked<Separate>(xBlock[..(rows * inputSize)], rows, _layer.InputPacked, gi[..(rows * three)]);
            for (int r = 0; r < rows; r++)
            {
                Span<double> gir = gi.Slice(r * three, three);
                LayerWeights.AddBias(gir, _layer.InputBiasData);
                ReadOnlySpan<double> h = r == 0 ? previous : hBlock.Slice((r - 1) * hidden, hidden);
                Span<double> rzn = tape is null ? gates : tape.AsSpan((4 * hidden * (t0 + r)), three);
                GatedSteps.Gru(_layer, gir, h, gh, rzn[..hidden], rzn.Slice(hidden, hidden), rzn.Slice(2 * hidden, hidden),
                               hBlock.Slice(r * hidden, hidden), descending);
                descending = !descending;
                if (tape is not null)
                {
                    gh.Slice(2 * hidden, hidden).CopyTo(tape.AsSpan((4 * hidden * (t0 + r)) + three, hidden));
                }
            }

            hBlock.Slice((rows - 1) * hidden, hidden).CopyTo(previous);
            PackedProduct.RowsTimesPacked<Separate>(hBlock[..(rows * hidden)], rows, _outputPacked, yBlock[..(rows * outputSize)]);
            for (int r = 0; r < rows; r++)
            {
                LayerWeights.AddBias(yBlock.Slice(r * outputSize, outputSize), _outputBiasData);
            }

            if (check)
            {
                FiniteResults.Screen(hBlock[..(rows * hidden)], ref screen);
                FiniteResults.Screen(yBlock[..(rows * outputSize)], ref screen);
            }

            ColumnMajor.WriteRows(stateData, steps, t0, rows, hBlock[..(rows * hidden)]);
            ColumnMajor.WriteRows(outputData, steps, t0, rows, yBlock[..(rows * outputSize)]);
        }

        if (check && !FiniteResults.Passed(screen))
        {
            FiniteResults.RefuseSequence(stateData, outputData, steps);
        }

        if (finalState is not null)
        {
            previous.CopyTo(finalState);
        }

        return (outputs, states);
    }
}
