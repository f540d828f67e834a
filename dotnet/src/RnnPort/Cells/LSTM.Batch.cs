using System.Runtime.CompilerServices;

namespace RnnPort;

/// <summary>The LSTM's batched forward pass: B sequences at once, one matrix-matrix product per projection and step.</summary>
public sealed partial class LSTM
{
    /// <summary>
    /// Runs B sequences of T steps at once, each from the current (h, c), which stay unchanged. Sequence b's
    /// results are bit for bit <see cref="Forward"/>'s on its T×I inputs from the same state (docs/exact-mode.md,
    /// "Batches"). NumPy twin: <c>LSTM.forward_batch(xs)</c>, xs of shape (B, T, I).
    /// </summary>
    /// <param name="inputs">B×T×I; B and T may be 0.</param>
    /// <returns>Outputs B×T×O, States and CellStates B×T×H.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException">The third dimension is not I.</exception>
    /// <exception cref="NonFiniteValueException">An input is NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">A state, cell state or output is not finite (the first such sequence, then step, named).</exception>
    public BatchResult ForwardBatch(double[,,] inputs)
    {
        BatchRunner.Check(inputs, InputSize, nameof(inputs));
        int batch = inputs.GetLength(0), steps = inputs.GetLength(1), hidden = HiddenSize;
        var outputs = new double[batch, steps, OutputSize];
        var states = new double[batch, steps, hidden];
        var cells = new double[batch, steps, hidden];
        if (batch > 0 && steps > 0)
        {
            double[] input = BatchKernels.Pack(_layer.InputData, InputSize, 4 * hidden);
            double[] recurrent = BatchKernels.Pack(_layer.RecurrentData, hidden, 4 * hidden);
            double[] output = BatchKernels.Pack(ColumnMajor.Storage(_outputWeights), hidden, OutputSize);
            double[] h0 = (double[])_state.Clone(), c0 = (double[])_cellState.Clone();
            long work = (long)steps * ((InputSize + hidden) * 4 + OutputSize) * hidden;
            BatchRunner.Run(batch, work, (first, count) =>
                RunRows(inputs, first, count, h0, c0, input, recurrent, output, outputs, states, cells));
            if (CheckResults)
            {
                BatchRunner.RefuseNonFinite((states, "state"), (cells, "cell state"), (outputs, "output"));
            }
        }

        return new BatchResult(outputs, states, cells);
    }

    /// <summary>The recurrence for sequences first … first + count − 1, in the order of the step (<see cref="Gates(Span{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double})"/> after the two projections), all rows at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunRows(double[,,] inputs, int first, int count, double[] h0, double[] c0, double[] inputPacked,
                         double[] recurrentPacked, double[] outputPacked, double[,,] outputs, double[,,] states, double[,,] cells)
    {
        int steps = inputs.GetLength(1), inputSize = InputSize, hidden = HiddenSize, four = 4 * hidden, outputSize = OutputSize;
        ReadOnlySpan<double> x = BatchRunner.Flat(inputs);
        Span<double> ys = BatchRunner.Flat(outputs), hs = BatchRunner.Flat(states), cs = BatchRunner.Flat(cells);
        double[] hStart = BatchRunner.Rows(h0, count), cStart = BatchRunner.Rows(c0, count);
        var a = new double[count * four];
        var recurrent = new double[count * four];
        var y = new double[count * outputSize];
        double[]? inputBias = _layer.InputBiasData, recurrentBias = _layer.RecurrentBiasData;
        double[]? outputBias = _outputBias is null ? null : ColumnMajor.Storage(_outputBias);
        int stride = steps * hidden;
        for (int t = 0; t < steps; t++)
        {
            int at = first * stride + t * hidden;  // (first, t, 0)
            ReadOnlySpan<double> hPrev = t == 0 ? hStart : hs[(at - hidden)..];
            ReadOnlySpan<double> cPrev = t == 0 ? cStart : cs[(at - hidden)..];
            int prevStride = t == 0 ? hidden : stride;
            BatchRunner.Project(x[((first * steps + t) * inputSize)..], count, steps * inputSize, inputSize, inputPacked, four, a, inputBias);
            BatchRunner.Project(hPrev, count, prevStride, hidden, recurrentPacked, four, recurrent, recurrentBias);
            for (int r = 0; r < count; r++)
            {
                Span<double> ar = a.AsSpan(r * four, four);
                ReadOnlySpan<double> gh = recurrent.AsSpan(r * four, four), c = cPrev.Slice(r * prevStride, hidden);
                Span<double> hNext = hs.Slice(at + r * stride, hidden), cNext = cs.Slice(at + r * stride, hidden);
                Gates(ar, gh, c, hNext, cNext);  // Cell's own element-wise arithmetic
            }

            BatchRunner.Project(hs[at..], count, stride, hidden, outputPacked, outputSize, y, outputBias);
            for (int r = 0; r < count; r++)
            {
                y.AsSpan(r * outputSize, outputSize).CopyTo(ys.Slice((first + r) * steps * outputSize + t * outputSize, outputSize));
            }
        }
    }
}
