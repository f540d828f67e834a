using System.Runtime.CompilerServices;

namespace RnnPort;

/// <summary>The batched forward pass: B sequences at once, one matrix-matrix product per step.</summary>
public sealed partial class RNN
{
    /// <summary>
    /// Runs B sequences of T steps at once, each from the current state, and leaves the state unchanged.
    /// Sequence b's outputs and states are bit for bit those of <see cref="Forward"/> on its T×I inputs from
    /// the same state (docs/exact-mode.md, "Batches"), whatever <see cref="Kernel"/> is set. NumPy twin:
    /// <c>RNN.forward_batch(xs)</c> with xs of shape (B, T, I), the same index order.
    /// </summary>
    /// <remarks>
    /// Per step, the B states times <c>recurrentWeights</c> is one blocked product (<c>BatchKernels</c>) that
    /// reads each weight once per block of eight sequences; the sequences are split over the cores when the
    /// batch is large enough. Allocates the results, packed copies of the weights and scratch, once per call.
    /// </remarks>
    /// <param name="inputs">B×T×I: <c>inputs[b, t, i]</c>; B and T may be 0.</param>
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
            double[] recurrent = BatchKernels.Pack(_recurrentData, hidden, hidden);
            double[] input = BatchKernels.Pack(_inputData, InputSize, hidden);
            double[] output = BatchKernels.Pack(_outputData, hidden, OutputSize);
            double[] start = ColumnMajor.Storage(_state);
            long work = (long)steps * (hidden + InputSize + OutputSize) * hidden;
            BatchRunner.Run(batch, work, (first, count) =>
                RunRows(inputs, first, count, start, recurrent, input, output, outputs, states));
            if (CheckResults)
            {
                BatchRunner.RefuseNonFinite((states, "state"), (outputs, "output"));
            }
        }

        return new BatchResult(outputs, states, null);
    }

    /// <summary>
    /// The recurrence for sequences <paramref name="first"/> … first + count − 1, in the order of
    /// <c>Step</c>: <c>h ← f((+0.0 + h·W_rec) + (+0.0 + x·W_in) (+ hiddenBias))</c>, then
    /// <c>y = (+0.0 + h·W_out) (+ outputBias)</c>, for all the rows at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunRows(double[,,] inputs, int first, int count, double[] start, double[] recurrentPacked,
                         double[] inputPacked, double[] outputPacked, double[,,] outputs, double[,,] states)
    {
        int steps = inputs.GetLength(1), inputSize = InputSize, hidden = HiddenSize, outputSize = OutputSize;
        ReadOnlySpan<double> x = BatchRunner.Flat(inputs);
        Span<double> ys = BatchRunner.Flat(outputs), hs = BatchRunner.Flat(states);
        var scratch = new double[3 * count * hidden];
        Span<double> initial = scratch.AsSpan(0, count * hidden);
        Span<double> pre = scratch.AsSpan(count * hidden, count * hidden), projection = scratch.AsSpan(2 * count * hidden);
        for (int r = 0; r < count; r++)
        {
            start.AsSpan(0, hidden).CopyTo(initial.Slice(r * hidden, hidden));
        }

        double[]? bias = _hiddenBiasData, outputBias = _outputBiasData;
        bool tanh = Activation == Activation.Tanh;
        int hStride = steps * hidden;
        for (int t = 0; t < steps; t++)
        {
            int at = first * hStride + t * hidden;  // (first, t, 0)
            ReadOnlySpan<double> previous = t == 0 ? initial : hs[(at - hidden)..];
            BatchKernels.RowsTimesPacked(previous, count, t == 0 ? hidden : hStride, hidden, recurrentPacked, hidden, pre, hidden);
            BatchKernels.RowsTimesPacked(x[((first * steps + t) * inputSize)..], count, steps * inputSize, inputSize,
                                         inputPacked, hidden, projection, hidden);
            for (int r = 0; r < count; r++)
            {
                Span<double> h = hs.Slice(at + r * hStride, hidden);
                for (int j = 0; j < hidden; j++)
                {
                    double a = pre[r * hidden + j] + projection[r * hidden + j];
                    if (bias is not null)
                    {
                        a += bias[j];
                    }

                    h[j] = tanh ? Math.Tanh(a) : (a > 0.0 ? a : 0.0);  // as Step
                }
            }

            int yAt = (first * steps + t) * outputSize;
            BatchKernels.RowsTimesPacked(hs[at..], count, hStride, hidden, outputPacked, outputSize, ys[yAt..], steps * outputSize);
            if (outputBias is not null)
            {
                for (int r = 0; r < count; r++)
                {
                    Span<double> y = ys.Slice(yAt + r * steps * outputSize, outputSize);
                    for (int o = 0; o < outputSize; o++)
                    {
                        y[o] += outputBias[o];
                    }
                }
            }
        }
    }
}
