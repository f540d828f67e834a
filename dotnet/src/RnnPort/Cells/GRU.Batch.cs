using System.Runtime.CompilerServices;

namespace RnnPort;

/// <summary>The GRU's batched forward pass: B sequences at once, one matrix-matrix product per projection and step.</summary>
public sealed partial class GRU
{
    /// <summary>
    /// Runs B sequences of T steps at once, each from the current state, which stays unchanged. Sequence b's
    /// results are bit for bit <see cref="Forward"/>'s on its T×I inputs from the same state (docs/exact-mode.md,
    /// "Batches"). NumPy twin: <c>GRU.forward_batch(xs)</c>, xs of shape (B, T, I).
    /// </summary>
    /// <param name="inputs">B×T×I; B and T may be 0.</param>
    /// <returns>Outputs B×T×O and States B×T×H.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException">The third dimension is not I.</exception>
    /// <exception cref="NonFiniteValueException">An input is NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">A state or an output is not finite (the first such sequence, then step, named).</exception>
    public BatchResult ForwardBatch(double[,,] inputs)
    {
        BatchRunner.Check(inputs, InputSize, nameof(inputs));
        int batch = inputs.GetLength(0), steps = inputs.GetLength(1), hidden = HiddenSize;
        var outputs = new double[batch, steps, OutputSize];
        var states = new double[batch, steps, hidden];
        if (batch > 0 && steps > 0)
        {
            double[] input = BatchKernels.Pack(_layer.InputData, InputSize, 3 * hidden);
            double[] recurrent = BatchKernels.Pack(_layer.RecurrentData, hidden, 3 * hidden);
            double[] output = BatchKernels.Pack(ColumnMajor.Storage(_outputWeights), hidden, OutputSize);
            double[] h0 = (double[])_stateData.Clone();
            long work = (long)steps * ((InputSize + hidden) * 3 + OutputSize) * hidden;
            BatchRunner.Run(batch, work, (first, count) =>
                RunRows(inputs, first, count, h0, input, recurrent, output, outputs, states));
            if (CheckResults)
            {
                BatchRunner.RefuseNonFinite((states, "state"), (outputs, "output"));
            }
        }

        return new BatchResult(outputs, states, null);
    }

    /// <summary>The recurrence for sequences first … first + count − 1, in <c>Step</c>'s order, all rows at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunRows(double[,,] inputs, int first, int count, double[] h0, double[] inputPacked,
                         double[] recurrentPacked, double[] outputPacked, double[,,] outputs, double[,,] states)
    {
        int steps = inputs.GetLength(1), inputSize = InputSize, hidden = HiddenSize, three = 3 * hidden, outputSize = OutputSize;
        ReadOnlySpan<double> x = BatchRunner.Flat(inputs);
        Span<double> ys = BatchRunner.Flat(outputs), hs = BatchRunner.Flat(states);
        double[] hStart = BatchRunner.Rows(h0, count);
        var gi = new double[count * three];
        var gh = new double[count * three];
        var y = new double[count * outputSize];
        Span<double> gates = new double[3 * hidden];  // r, z, n of one row (not kept: no BPTT here)
        int stride = steps * hidden;
        for (int t = 0; t < steps; t++)
        {
            int at = first * stride + t * hidden;  // (first, t, 0)
            ReadOnlySpan<double> hPrev = t == 0 ? hStart : hs[(at - hidden)..];
            int prevStride = t == 0 ? hidden : stride;
            BatchRunner.Project(x[((first * steps + t) * inputSize)..], count, steps * inputSize, inputSize, inputPacked, three, gi, _layer.InputBiasData);
            BatchRunner.Project(hPrev, count, prevStride, hidden, recurrentPacked, three, gh, _layer.RecurrentBiasData);
            for (int r = 0; r < count; r++)
            {
                ReadOnlySpan<double> i = gi.AsSpan(r * three, three), g = gh.AsSpan(r * three, three), h = hPrev.Slice(r * prevStride, hidden);
                Gates(i, g, h, gates[..hidden], gates.Slice(hidden, hidden), gates.Slice(2 * hidden, hidden),
                      hs.Slice(at + r * stride, hidden));  // Step's own element-wise arithmetic
            }

            BatchRunner.Project(hs[at..], count, stride, hidden, outputPacked, outputSize, y, _outputBiasData);
            for (int r = 0; r < count; r++)
            {
                y.AsSpan(r * outputSize, outputSize).CopyTo(ys.Slice((first + r) * steps * outputSize + t * outputSize, outputSize));
            }
        }
    }
}
