using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The LSTM's forward pass in blocks of timesteps, as <see cref="RNN"/>'s (RNN.Recurrence.cs): the block's input
/// projections <c>x_t·W_in (+ b_ih)</c> in one multi-row product, then the recurrence one step at a time
/// (<see cref="GatedSteps.Lstm"/>: product and gates split by units across two cores when large enough), then
/// the block's outputs in one multi-row product. Every element is summed and combined exactly as one
/// <see cref="Cell(LayerWeights, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double}, bool)"/>
/// per step computes it, so the exact mode keeps its bits.
/// </summary>
public sealed partial class LSTM
{
    /// <summary>Timesteps per block: the block's projections (16·4H doubles at H = 256: 128 KB) stay in L2.</summary>
    private const int Block = 16;

    /// <summary>
    /// The forward pass from (h, c) without checks and without touching the model's state: the shared core
    /// of <see cref="Forward"/> and BPTT.
    /// </summary>
    /// <param name="h">H values of the start state.</param>
    /// <param name="c">H values of the start cell state.</param>
    /// <param name="inputs">T×I, already checked.</param>
    /// <param name="gates">Null, or T·4H values that receive each step's gates, step t at t·4H.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal (Matrix<double> Outputs, Matrix<double> States, Matrix<double> CellStates) ForwardFrom(
        ReadOnlySpan<double> h, ReadOnlySpan<double> c, Matrix<double> inputs, double[]? gates)
    {
        int steps = inputs.RowCount, inputSize = InputSize, hidden = HiddenSize, outputSize = OutputSize, four = 4 * hidden;
        Matrix<double> outputs = Matrix<double>.Build.Dense(steps, outputSize);
        Matrix<double> states = Matrix<double>.Build.Dense(steps, hidden);
        Matrix<double> cells = Matrix<double>.Build.Dense(steps, hidden);
        if (steps == 0)
        {
            return (outputs, states, cells);
        }

        double[] xs = ColumnMajor.ReadOnly(inputs);  // (t, i) at t + i·T
        double[] ys = ColumnMajor.Storage(outputs), hs = ColumnMajor.Storage(states), cs = ColumnMajor.Storage(cells);  // (t, j) at t + j·T
        double[]? outputBias = _outputBias is null ? null : ColumnMajor.Storage(_outputBias);
        int block = Block;  // not min(Block, T): the scratch is then the same for every T, allocated once per call
        var scratch = new double[(block * (inputSize + four + (2 * hidden) + outputSize)) + (2 * hidden) + four];
        Span<double> xBlock = scratch.AsSpan(0, block * inputSize);
        Span<double> a = scratch.AsSpan(block * inputSize, block * four);  // per step: gi (bias included), then the gates
        Span<double> hBlock = scratch.AsSpan(block * (inputSize + four), block * hidden);
        Span<double> cBlock = scratch.AsSpan(block * (inputSize + four + hidden), block * hidden);
        Span<double> yBlock = scratch.AsSpan(block * (inputSize + four + (2 * hidden)), block * outputSize);
        int rest = block * (inputSize + four + (2 * hidden) + outputSize);
        Span<double> hPrevious = scratch.AsSpan(rest, hidden), cPrevious = scratch.AsSpan(rest + hidden, hidden);
        Span<double> recurrent = scratch.AsSpan(rest + (2 * hidden), four);
        h[..hidden].CopyTo(hPrevious);
        c[..hidden].CopyTo(cPrevious);
        bool descending = false;
        for (int t0 = 0; t0 < steps; t0 += block)
        {
            int rows = Math.Min(block, steps - t0);
            ColumnMajor.ReadRows(xs, steps, t0, rows, xBlock[..(rows * inputSize)]);
            PackedProduct.RowsTimesPacked<Separate>(xBlock[..(rows * inputSize)], rows, _layer.InputPacked, a[..(rows * four)]);
            for (int r = 0; r < rows; r++)
            {
                Span<double> ar = a.Slice(r * four, four);
                LayerWeights.AddBias(ar, _layer.InputBiasData);
                ReadOnlySpan<double> hr = r == 0 ? hPrevious : hBlock.Slice((r - 1) * hidden, hidden);
                ReadOnlySpan<double> cr = r == 0 ? cPrevious : cBlock.Slice((r - 1) * hidden, hidden);
                GatedSteps.Lstm(_layer, ar, hr, cr, recurrent, hBlock.Slice(r * hidden, hidden), cBlock.Slice(r * hidden, hidden), descending);
                descending = !descending;
                if (gates is not null)
                {
                    ar.CopyTo(gates.AsSpan((t0 + r) * four, four));
                }
            }

            hBlock.Slice((rows - 1) * hidden, hidden).CopyTo(hPrevious);
            cBlock.Slice((rows - 1) * hidden, hidden).CopyTo(cPrevious);
            PackedProduct.RowsTimesPacked<Separate>(hBlock[..(rows * hidden)], rows, _outputPacked, yBlock[..(rows * outputSize)]);
            for (int r = 0; r < rows; r++)
            {
                LayerWeights.AddBias(yBlock.Slice(r * outputSize, outputSize), outputBias);
            }

            ColumnMajor.WriteRows(hs, steps, t0, rows, hBlock[..(rows * hidden)]);
            ColumnMajor.WriteRows(cs, steps, t0, rows, cBlock[..(rows * hidden)]);
            ColumnMajor.WriteRows(ys, steps, t0, rows, yBlock[..(rows * outputSize)]);
        }

        return (outputs, states, cells);
    }
}
