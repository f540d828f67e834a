using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnPort;

/// <summary>
/// The products of the packed kernels (<see cref="SequentialKernels.Range{TMode}"/>) beyond one row on one
/// core: the columns split across two cores (<see cref="SecondCore"/>), and several rows against one
/// matrix (a block of timesteps' input or output projections) with each weight vector loaded once per
/// block of rows. Every output is still summed k ascending from +0.0 by one thread, so the exact mode
/// stays bit-identical (docs/exact-mode.md, "The C# fast path").
/// </summary>
internal static unsafe class PackedProduct
{
    /// <summary>
    /// K·N from which a product is split across the two cores: 2¹⁶ elements (H = 256's recurrent
    /// weights, 512 KB), about 5 µs of work on one core here, against well under a microsecond for the hand-over.
    /// </summary>
    internal const int SplitElements = 1 << 16;

    [ThreadStatic]
    private static RowsJob<Separate>? t_separateRows;

    [ThreadStatic]
    private static RowsJob<Fused>? t_fusedRows;

    /// <summary>Whether the second core may be used at all; off only to measure what it brings (benchmarks' A/B).</summary>
    internal static bool UseSecondCore { get; set; } = true;

    /// <summary>Whether a K×N product is worth splitting across the two cores (and there are two).</summary>
    internal static bool Splits(int kCount, int n) =>
        UseSecondCore && SecondCore.Shared is not null && (long)kCount * n >= SplitElements && n >= 2 * SequentialKernels.MainWidth;

    /// <summary>
    /// The width of the chunks in which <see cref="SecondCore"/> shares N outputs of a K-term product: a multiple
    /// of <see cref="SequentialKernels.MainWidth"/> (so that every chunk starts a panel), about 16 chunks in all,
    /// each at least 2¹⁴ weights (128 KB, 1–2 µs here): small enough that a helper preempted inside one costs the
    /// caller little, large enough that the claims (a compare-and-swap on a cache line both cores write) stay
    /// negligible. H = 256: 4 chunks of 64 columns; H = 1024: 16 of 64.
    /// </summary>
    internal static int ChunkWidth(int kCount, int n)
    {
        int width = SequentialKernels.MainWidth;
        int panels = Math.Max(n / width / 16, ((1 << 14) / Math.Max(1, kCount) + width - 1) / width);
        return Math.Max(1, panels) * width;
    }

    /// <summary><c>y = x·W</c> on the packed W, the columns shared between this thread and the helper.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RunOnTwoCores<TMode>(ReadOnlySpan<double> x, ReadOnlySpan<double> packed, Span<double> y)
        where TMode : struct, IProductMode
    {
        RowsJob<TMode> job = JobFor<TMode>();
        fixed (double* xp = x, wp = packed, yp = y)
        {
            job.Set(xp, 1, wp, yp, x.Length, y.Length);  // one row: RowsColumns sums it as SequentialKernels.Range does
            if (!SecondCore.Shared!.TryRun(job, y.Length, ChunkWidth(x.Length, y.Length)))
            {
                job.Run(0, y.Length);
            }
        }
    }

    /// <summary>
    /// <c>Y = X·W</c> for R rows at once: X is R×K row-major (row r at r·K), Y is R×N row-major. Each
    /// element is summed exactly as <see cref="SequentialKernels.Range{TMode}"/> sums it for one row; four
    /// rows share every load of a 32-column panel of W.
    /// </summary>
    internal static void RowsTimesPacked<TMode>(ReadOnlySpan<double> xs, int rows, ReadOnlySpan<double> packed, Span<double> ys)
        where TMode : struct, IProductMode
    {
        (int kCount, int n) = RowsShape(xs, rows, packed, ys);
        RowsColumns<TMode>(ref MemoryMarshal.GetReference(xs), rows, ref MemoryMarshal.GetReference(packed), ref MemoryMarshal.GetReference(ys), kCount, n, 0, n);
    }

    /// <summary>
    /// <see cref="RowsTimesPacked{TMode}"/> with the columns shared between this thread and the helper when
    /// the product is large enough (<see cref="Splits"/>): a block of timesteps' input or output projections.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RowsTimesPackedOnTwoCores<TMode>(ReadOnlySpan<double> xs, int rows, ReadOnlySpan<double> packed, Span<double> ys)
        where TMode : struct, IProductMode
    {
        (int kCount, int n) = RowsShape(xs, rows, packed, ys);
        if (!Splits(rows * kCount, n))
        {
            RowsTimesPacked<TMode>(xs, rows, packed, ys);
            return;
        }

        RowsJob<TMode> job = JobFor<TMode>();
        fixed (double* xp = xs, wp = packed, yp = ys)
        {
            job.Set(xp, rows, wp, yp, kCount, n);
            if (!SecondCore.Shared!.TryRun(job, n, ChunkWidth(rows * kCount, n)))
            {
                job.Run(0, n);
            }
        }
    }

    /// <summary>This thread's job object for the mode: one per thread and mode, so nothing is allocated per product.</summary>
    private static RowsJob<TMode> JobFor<TMode>()
        where TMode : struct, IProductMode =>
        typeof(TMode) == typeof(Fused)
            ? (RowsJob<TMode>)(object)(t_fusedRows ??= new RowsJob<Fused>())
            : (RowsJob<TMode>)(object)(t_separateRows ??= new RowsJob<Separate>());

    private static (int KCount, int N) RowsShape(ReadOnlySpan<double> xs, int rows, ReadOnlySpan<double> packed, ReadOnlySpan<double> ys)
    {
        int kCount = rows == 0 ? 0 : xs.Length / rows, n = rows == 0 ? 0 : ys.Length / rows;
        if (xs.Length < rows * kCount || ys.Length < rows * n || packed.Length < kCount * n)
        {
            throw new ArgumentException($"expected {rows} rows of K and of N with a K·N matrix");
        }

        return (kCount, n);
    }

    /// <summary>Columns [from, to) of every row of Y = X·W: from starts a panel, to is N or a multiple of <see cref="SequentialKernels.MainWidth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsColumns<TMode>(ref double xr, int rows, ref double wr, ref double yr, int kCount, int n, int from, int to)
        where TMode : struct, IProductMode
    {
        int r = 0, n32 = Vector512.IsHardwareAccelerated ? Math.Min(to, n / 32 * 32) : from;
        for (; rows - r >= 4 && n32 > from; r += 4)
        {
            FourRows<TMode>(ref Unsafe.Add(ref xr, r * kCount), ref wr, ref Unsafe.Add(ref yr, r * n), kCount, n, from, n32);
            for (int q = 0; q < 4; q++)
            {
                SequentialKernels.Range<TMode>(ref Unsafe.Add(ref xr, (r + q) * kCount), ref wr, ref Unsafe.Add(ref yr, (r + q) * n), kCount, n, n32, to);
            }
        }

        for (; r < rows; r++)
        {
            SequentialKernels.Range<TMode>(ref Unsafe.Add(ref xr, r * kCount), ref wr, ref Unsafe.Add(ref yr, r * n), kCount, n, from, to);
        }
    }

    /// <summary>Columns [from, to) of four rows, 32 columns at a time (from and to multiples of 32): 16 accumulators, each weight vector loaded once for four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRows<TMode>(ref double xr, ref double wr, ref double yr, int kCount, int n, int from, int to)
        where TMode : struct, IProductMode
    {
        ref double x1 = ref Unsafe.Add(ref xr, kCount), x2 = ref Unsafe.Add(ref xr, 2 * kCount), x3 = ref Unsafe.Add(ref xr, 3 * kCount);
        for (int j = from; j < to; j += 32)
        {
            Vector512<double> z = Vector512<double>.Zero;
            Vector512<double> a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
            Vector512<double> c0 = z, c1 = z, c2 = z, c3 = z, d0 = z, d1 = z, d2 = z, d3 = z;
            nuint offset = (nuint)j * (nuint)kCount;
            for (int k = 0; k < kCount; k++, offset += 32)
            {
                Vector512<double> w0 = Vector512.LoadUnsafe(ref wr, offset), w1 = Vector512.LoadUnsafe(ref wr, offset + 8);
                Vector512<double> w2 = Vector512.LoadUnsafe(ref wr, offset + 16), w3 = Vector512.LoadUnsafe(ref wr, offset + 24);
                Vector512<double> x = Vector512.Create(Unsafe.Add(ref xr, k));
                a0 = TMode.Add(a0, x, w0); a1 = TMode.Add(a1, x, w1); a2 = TMode.Add(a2, x, w2); a3 = TMode.Add(a3, x, w3);
                x = Vector512.Create(Unsafe.Add(ref x1, k));
                b0 = TMode.Add(b0, x, w0); b1 = TMode.Add(b1, x, w1); b2 = TMode.Add(b2, x, w2); b3 = TMode.Add(b3, x, w3);
                x = Vector512.Create(Unsafe.Add(ref x2, k));
                c0 = TMode.Add(c0, x, w0); c1 = TMode.Add(c1, x, w1); c2 = TMode.Add(c2, x, w2); c3 = TMode.Add(c3, x, w3);
                x = Vector512.Create(Unsafe.Add(ref x3, k));
                d0 = TMode.Add(d0, x, w0); d1 = TMode.Add(d1, x, w1); d2 = TMode.Add(d2, x, w2); d3 = TMode.Add(d3, x, w3);
            }

            Store(z + a0, z + a1, z + a2, z + a3, ref yr, j);
            Store(z + b0, z + b1, z + b2, z + b3, ref yr, n + j);
            Store(z + c0, z + c1, z + c2, z + c3, ref yr, 2 * n + j);
            Store(z + d0, z + d1, z + d2, z + d3, ref yr, 3 * n + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<double> v0, Vector512<double> v1, Vector512<double> v2, Vector512<double> v3, ref double yr, int at)
    {
        v0.StoreUnsafe(ref yr, (nuint)at);
        v1.StoreUnsafe(ref yr, (nuint)(at + 8));
        v2.StoreUnsafe(ref yr, (nuint)(at + 16));
        v3.StoreUnsafe(ref yr, (nuint)(at + 24));
    }

    /// <summary>Several rows' product as an <see cref="IColumnJob"/> over the output columns: pointers into arrays the caller keeps pinned.</summary>
    private sealed class RowsJob<TMode> : IColumnJob
        where TMode : struct, IProductMode
    {
        private double* _xs, _w, _ys;
        private int _rows, _k, _n;

        internal void Set(double* xs, int rows, double* w, double* ys, int k, int n)
        {
            _xs = xs;
            _rows = rows;
            _w = w;
            _ys = ys;
            _k = k;
            _n = n;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int from, int to) => RowsColumns<TMode>(ref *_xs, _rows, ref *_w, ref *_ys, _k, _n, from, to);
    }
}
