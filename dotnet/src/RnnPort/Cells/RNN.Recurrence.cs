using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>
/// The forward pass of <see cref="Kernel.Sequential"/> and <see cref="Kernel.Simd"/> in blocks of timesteps:
/// the input projections of a block in one multi-row product, then the recurrence one step at a time (its
/// product and activation split across two cores above <see cref="PackedProduct.SplitElements"/>), then the
/// block's outputs in one multi-row product. Per element, every sum is the same as one step at a time
/// (k ascending from +0.0, and <c>(h·W_rec + x·W_in) + b</c> in that order), so the exact kernel keeps its
/// bits; only loads are shared and work is divided by outputs.
/// </summary>
public sealed partial class RNN
{
    /// <summary>Timesteps per block: the block's projections (Block·H doubles each) stay in L1/L2.</summary>
    private const int Block = 16;

    /// <summary>
    /// The blocked forward pass on raw column-major arrays: states into <paramref name="stateData"/> (T×H)
    /// and outputs into <paramref name="outputData"/> (T×O); returns the non-finite screen of them all.
    /// </summary>
    /// <param name="start">H values, the state before the first step; not written.</param>
    /// <param name="x">T×I inputs, column-major.</param>
    /// <param name="steps">T &gt; 0.</param>
    /// <param name="stateData">T×H, column-major, written.</param>
    /// <param name="outputData">T×O, column-major, written.</param>
    /// <param name="last">H values: receives the state after the last step.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe Lanes ForwardBlocks<TMode>(ReadOnlySpan<double> start, double[] x, int steps, double[] stateData, double[] outputData, Span<double> last)
        where TMode : struct, IProductMode
    {
        int inputSize = InputSize, hidden = HiddenSize, outputSize = OutputSize, block = Math.Min(Block, steps);
        var scratch = new double[block * (inputSize + 2 * hidden + outputSize) + 2 * hidden];
        Span<double> xs = scratch.AsSpan(0, block * inputSize);
        Span<double> projected = scratch.AsSpan(block * inputSize, block * hidden);
        Span<double> hs = scratch.AsSpan(block * (inputSize + hidden), block * hidden);
        Span<double> ys = scratch.AsSpan(block * (inputSize + 2 * hidden), block * outputSize);
        int previousAt = block * (inputSize + 2 * hidden + outputSize), projectedAt = block * inputSize, statesAt = block * (inputSize + hidden);
        Span<double> previous = scratch.AsSpan(previousAt, hidden);  // the state before the block; then hidden values of scratch for h·W_rec
        start[..hidden].CopyTo(previous);
        bool check = CheckResults, split = PackedProduct.Splits(hidden, hidden);
        Lanes screen = Lanes.Zero;
        RecurrentJob<TMode> job = RecurrentJobFor<TMode>();
        fixed (double* scratchPointer = scratch, w = _recurrentPacked)
        fixed (double* bias = _hiddenBiasData)
        {
            for (int t0 = 0; t0 < steps; t0 += block)
            {
                int rows = Math.Min(block, steps - t0);
                ColumnMajor.ReadRows(x, steps, t0, rows, xs[..(rows * inputSize)]);

                PackedProduct.RowsTimesPackedOnTwoCores<TMode>(xs[..(rows * inputSize)], rows, _inputPacked, projected[..(rows * hidden)]);
                for (int r = 0; r < rows; r++)
                {
                    double* h = scratchPointer + (r == 0 ? previousAt : statesAt + (r - 1) * hidden);
                    job.Set(h, w, scratchPointer + previousAt + hidden, scratchPointer + projectedAt + r * hidden, bias,
                            scratchPointer + statesAt + r * hidden, hidden, Activation == Activation.Tanh);
                    if (!split || !SecondCore.Shared!.TryRun(job, hidden, PackedProduct.ChunkWidth(hidden, hidden)))
                    {
                        job.Run(0, hidden);
                    }
                }

                hs.Slice((rows - 1) * hidden, hidden).CopyTo(previous);
                PackedProduct.RowsTimesPackedOnTwoCores<TMode>(hs[..(rows * hidden)], rows, _outputPacked, ys[..(rows * outputSize)]);
                for (int r = 0; r < rows; r++)
                {
                    Span<double> h = hs.Slice(r * hidden, hidden), y = ys.Slice(r * outputSize, outputSize);
                    LayerWeights.AddBias(y, _outputBiasData);
                    if (check)
                    {
                        FiniteResults.Screen(h, ref screen);
                        FiniteResults.Screen(y, ref screen);
                    }
                }

                ColumnMajor.WriteRows(stateData, steps, t0, rows, hs[..(rows * hidden)]);
                ColumnMajor.WriteRows(outputData, steps, t0, rows, ys[..(rows * outputSize)]);
            }
        }

        previous.CopyTo(last);
        return screen;
    }

    [ThreadStatic]
    private static RecurrentJob<Separate>? t_exactJob;

    [ThreadStatic]
    private static RecurrentJob<Fused>? t_fusedJob;

    private static RecurrentJob<TMode> RecurrentJobFor<TMode>()
        where TMode : struct, IProductMode =>
        typeof(TMode) == typeof(Fused)
            ? (RecurrentJob<TMode>)(object)(t_fusedJob ??= new RecurrentJob<Fused>())
            : (RecurrentJob<TMode>)(object)(t_exactJob ??= new RecurrentJob<Separate>());

    /// <summary>
    /// One recurrent step over output columns [from, to): <c>next[j] = f((h·W_rec)[j] + projected[j] (+ b[j]))</c>,
    /// the product by <see cref="SequentialKernels.Range{TMode}"/>. The exact mode applies <c>Math.Tanh</c> per
    /// element; <see cref="Fused"/> the vectorised <c>TensorPrimitives.Tanh</c>. Pointers into arrays the
    /// caller keeps pinned; <c>h</c> and <c>next</c> are distinct, so the two halves never race.
    /// </summary>
    private sealed unsafe class RecurrentJob<TMode> : IColumnJob
        where TMode : struct, IProductMode
    {
        private double* _h, _w, _sum, _projected, _bias, _next;
        private int _n;
        private bool _tanh;

        internal void Set(double* h, double* w, double* sum, double* projected, double* bias, double* next, int n, bool tanh)
        {
            _h = h;
            _w = w;
            _sum = sum;
            _projected = projected;
            _bias = bias;
            _next = next;
            _n = n;
            _tanh = tanh;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int from, int to)
        {
            SequentialKernels.Range<TMode>(ref *_h, ref *_w, ref *_sum, _n, _n, from, to);
            double* sum = _sum, projected = _projected, bias = _bias, next = _next;
            for (int j = from; j < to; j++)
            {
                double a = sum[j] + projected[j];
                if (bias != null)
                {
                    a += bias[j];
                }

                sum[j] = a;
            }

            if (typeof(TMode) == typeof(Fused) && _tanh)
            {
                TensorPrimitives.Tanh(new ReadOnlySpan<double>(sum + from, to - from), new Span<double>(next + from, to - from));
                return;
            }

            bool tanh = _tanh;
            for (int j = from; j < to; j++)
            {
                double a = sum[j];
                next[j] = tanh ? Math.Tanh(a) : (a > 0.0 ? a : 0.0);  // ActivationFunctions.Apply, inlined
            }
        }
    }
}
