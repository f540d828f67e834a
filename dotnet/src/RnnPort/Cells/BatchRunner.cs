using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnPort;

/// <summary>
/// What the cells' <c>ForwardBatch</c> share: the B×T×I argument's checks, the split of the B sequences
/// over the cores, and the refusal of a non-finite result. NumPy twin: <c>rnnport.cells.batch</c>.
/// </summary>
/// <remarks>
/// The sequences are independent, so each worker runs the whole recurrence for its own rows: no
/// synchronisation per step, and every row's arithmetic is the same whichever worker computes it, so the
/// split never changes a bit.
/// </remarks>
internal static class BatchRunner
{
    /// <summary>Multiply-adds per worker below which a batch runs on the calling thread alone.</summary>
    private const long ParallelThreshold = 1L << 22;

    /// <summary>The elements of a three-dimensional array in storage (row-major, C) order.</summary>
    internal static Span<double> Flat(double[,,] array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);

    /// <summary>Checks a batch of inputs: not null, B×T×I with I = <paramref name="inputSize"/>, finite (first bad element named).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException">The third dimension is not I.</exception>
    /// <exception cref="NonFiniteValueException">An input is NaN or ±Infinity.</exception>
    internal static void Check(double[,,]? inputs, int inputSize, string name)
    {
        ArgumentNullException.ThrowIfNull(inputs, name);
        int batch = inputs.GetLength(0), steps = inputs.GetLength(1), width = inputs.GetLength(2);
        if (width != inputSize)
        {
            throw new ShapeMismatchException(name, $"B×T×{Guard.Number(inputSize)}",
                $"{Guard.Number(batch)}×{Guard.Number(steps)}×{Guard.Number(width)}");
        }

        ReadOnlySpan<double> flat = Flat(inputs);
        if (!FiniteResults.AllFinite(flat))
        {
            int n = FiniteResults.FirstNonFinite(flat);
            if (n >= 0)
            {
                throw new NonFiniteValueException(name, n / (steps * width), n / width % steps, n % width, flat[n]);
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="rows"/>(first, count) over B rows: on the calling thread when the work is small,
    /// otherwise in one contiguous chunk per core (chunks a multiple of <see cref="BatchKernels.BlockRows"/>).
    /// </summary>
    /// <param name="batch">B.</param>
    /// <param name="workPerRow">Multiply-adds per sequence (T times the weights' elements), to decide.</param>
    /// <param name="rows">Runs the whole recurrence for sequences first … first + count − 1.</param>
    internal static void Run(int batch, long workPerRow, Action<int, int> rows)
    {
        int workers = Math.Min(Environment.ProcessorCount, (batch + BatchKernels.BlockRows - 1) / BatchKernels.BlockRows);
        if (workers <= 1 || workPerRow * batch / workers < ParallelThreshold)
        {
            rows(0, batch);
            return;
        }

        int blocks = (batch + BatchKernels.BlockRows - 1) / BatchKernels.BlockRows;
        void Chunk(int w)
        {
            int first = blocks * w / workers * BatchKernels.BlockRows, last = Math.Min(batch, blocks * (w + 1) / workers * BatchKernels.BlockRows);
            if (last > first)
            {
                rows(first, last - first);
            }
        }

        // Chunks 1 … workers − 1 on the thread pool, chunk 0 on this thread: one task per call, none per step.
        var others = new Task[workers - 1];
        for (int w = 1; w < workers; w++)
        {
            int chunk = w;
            others[w - 1] = Task.Run(() => Chunk(chunk));
        }

        Chunk(0);
        Task.WaitAll(others);
    }

    /// <summary>
    /// <c>Y = X·W (+ bias)</c> for <paramref name="count"/> rows into the contiguous <paramref name="y"/> (row r at r·N):
    /// <see cref="BatchKernels.RowsTimesPacked"/>, then the bias added to each finished sum.
    /// </summary>
    internal static void Project(ReadOnlySpan<double> x, int count, int xStride, int k, double[] packed, int n,
                                 Span<double> y, double[]? bias)
    {
        BatchKernels.RowsTimesPacked(x, count, xStride, k, packed, n, y, n);
        if (bias is not null)
        {
            for (int r = 0; r < count; r++)
            {
                Span<double> row = y.Slice(r * n, n);
                for (int j = 0; j < n; j++)
                {
                    row[j] += bias[j];
                }
            }
        }
    }

    /// <summary><paramref name="start"/> (H values) repeated as <paramref name="count"/> contiguous rows.</summary>
    internal static double[] Rows(ReadOnlySpan<double> start, int count)
    {
        var rows = new double[count * start.Length];
        for (int r = 0; r < count; r++)
        {
            start.CopyTo(rows.AsSpan(r * start.Length));
        }

        return rows;
    }

    /// <summary>
    /// Throws <see cref="NonFiniteResultException"/> <c>"forward_batch: sequence b: the {what} at step t is not
    /// finite (element j is …)"</c> for the first sequence holding a non-finite result, then within it
    /// <c>Forward</c>'s rule (the first step; the arrays in the given order). NumPy twin: <c>refuse_non_finite_batch</c>.
    /// </summary>
    internal static void RefuseNonFinite(params (double[,,] Values, string What)[] arrays)
    {
        bool finite = true;
        foreach ((double[,,] values, _) in arrays)
        {
            finite &= FiniteResults.AllFinite(Flat(values));
        }

        if (finite)
        {
            return;
        }

        int batch = arrays[0].Values.GetLength(0), steps = arrays[0].Values.GetLength(1);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                foreach ((double[,,] values, string what) in arrays)
                {
                    for (int j = 0; j < values.GetLength(2); j++)
                    {
                        double v = values[b, t, j];
                        if (!double.IsFinite(v))
                        {
                            throw new NonFiniteResultException(string.Create(CultureInfo.InvariantCulture,
                                $"forward_batch: sequence {b}: the {what} at step {t} is not finite (element {j} is {FiniteResults.Value(v)})"));
                        }
                    }
                }
            }
        }
    }
}
