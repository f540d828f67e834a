using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnPort;

/// <summary>
/// The exact-mode matrix-matrix product of the batched forward passes (<c>ForwardBatch</c>): B rows times
/// one K×N matrix, every output summed as MathNet's managed provider sums it,
/// <c>y[b, j] = +0.0 + ((((+0.0 + x[b,0]·w[0,j]) + x[b,1]·w[1,j]) + …)</c>, k ascending, one rounding per
/// product and per addition, so row b is bit for bit <c>SequentialKernels.RowTimesPacked</c> of row b alone.
/// NumPy twin: <c>kernels.EXACT.matvec_prepared</c> on (B, K) rows.
/// </summary>
/// <remarks>
/// Vectorised across outputs, never along a sum: lane c of <c>acc[r] += broadcast(x[r, k]) * W[k, j..j+w]</c>
/// is output (r, j + c)'s own running sum (separate multiply and add; RyuJIT does not fuse them). What makes
/// it faster than B row products is register blocking: each w-column slice of the weights (w = 16 with AVX-512,
/// two 8-lane vectors; else 8, two 4-lane vectors), loaded once per
/// k, serves <see cref="BlockRows"/> rows' accumulators, so the weights are read once per block of rows
/// instead of once per row. Its own packing (<see cref="Pack"/>, panels of w columns) is independent of
/// the single-row kernel's, which may change its panels freely.
/// </remarks>
internal static class BatchKernels
{
    /// <summary>Columns per packed panel: two vectors, 8-lane where AVX-512 is available, else 4-lane.</summary>
    internal static readonly int PanelWidth = Vector512.IsHardwareAccelerated ? 16 : 8;

    /// <summary>Rows that share one load of a weight panel row: 8 rows × 2 vectors = 16 accumulators.</summary>
    internal const int BlockRows = 8;

    /// <summary>
    /// Packs the K×N column-major <paramref name="columnMajor"/> (element (k, j) at <c>k + j·K</c>) for
    /// <see cref="RowsTimesPacked"/>: the first ⌊N/w⌋·w columns in panels of w = <see cref="PanelWidth"/>, panel p
    /// row-major from <c>wp·K</c> (element (k, wp + c) at <c>wp·K + wk + c</c>), the remaining columns as plain columns
    /// (element (k, j) at <c>j·K + k</c>).
    /// </summary>
    internal static double[] Pack(ReadOnlySpan<double> columnMajor, int rows, int columns)
    {
        var packed = new double[rows * columns];
        int full = columns / PanelWidth * PanelWidth;
        for (int j = 0; j < columns; j++)
        {
            ReadOnlySpan<double> column = columnMajor.Slice(j * rows, rows);
            if (j < full)
            {
                int j0 = j / PanelWidth * PanelWidth, c = j - j0;
                for (int k = 0; k < rows; k++)
                {
                    packed[j0 * rows + k * PanelWidth + c] = column[k];
                }
            }
            else
            {
                column.CopyTo(packed.AsSpan(j * rows, rows));
            }
        }

        return packed;
    }

    /// <summary>
    /// <c>Y = X·W</c> for <paramref name="rows"/> rows: row r of X is <paramref name="x"/>[r·xStride ..][..K],
    /// row r of Y is <paramref name="y"/>[r·yStride ..][..N]; W is K×N packed by <see cref="Pack"/>.
    /// </summary>
    /// <param name="x">The rows of X; row r starts at r·<paramref name="xStride"/>.</param>
    /// <param name="rows">B.</param>
    /// <param name="xStride">Distance between rows of X, ≥ K.</param>
    /// <param name="kCount">K.</param>
    /// <param name="packed">K·N values from <see cref="Pack"/>.</param>
    /// <param name="n">N.</param>
    /// <param name="y">The rows of Y, written; must not overlap the other two.</param>
    /// <param name="yStride">Distance between rows of Y, ≥ N.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RowsTimesPacked(ReadOnlySpan<double> x, int rows, int xStride, int kCount,
                                         ReadOnlySpan<double> packed, int n, Span<double> y, int yStride)
    {
        if (rows == 0)
        {
            return;
        }

        if (packed.Length < kCount * n || x.Length < (rows - 1) * xStride + kCount || y.Length < (rows - 1) * yStride + n)
        {
            throw new ArgumentException($"spans too short for {rows} rows of {kCount}×{n}");
        }

        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double wr = ref MemoryMarshal.GetReference(packed);
        ref double yr = ref MemoryMarshal.GetReference(y);
        int panels = Vector256.IsHardwareAccelerated ? n / PanelWidth * PanelWidth : 0, full = panels;
        if (Vector512.IsHardwareAccelerated)
        {
            for (int j0 = 0; j0 < full; j0 += PanelWidth)
            {
                ref double panel = ref Unsafe.Add(ref wr, j0 * kCount);
                int r = 0;
                for (; rows - r >= BlockRows; r += BlockRows)
                {
                    Block8Wide(ref Unsafe.Add(ref xr, r * xStride), xStride, kCount, ref panel, ref Unsafe.Add(ref yr, r * yStride + j0), yStride);
                }

                for (; r < rows; r++)
                {
                    Block1Wide(ref Unsafe.Add(ref xr, r * xStride), kCount, ref panel, ref Unsafe.Add(ref yr, r * yStride + j0));
                }
            }

            full = 0;  // done: skip the 4-lane loop below
        }

        for (int j0 = 0; j0 < full; j0 += PanelWidth)
        {
            ref double panel = ref Unsafe.Add(ref wr, j0 * kCount);
            int r = 0;
            for (; rows - r >= BlockRows; r += BlockRows)
            {
                Block8(ref Unsafe.Add(ref xr, r * xStride), xStride, kCount, ref panel, ref Unsafe.Add(ref yr, r * yStride + j0), yStride);
            }

            for (; r < rows; r++)
            {
                Block1(ref Unsafe.Add(ref xr, r * xStride), kCount, ref panel, ref Unsafe.Add(ref yr, r * yStride + j0));
            }
        }

        // Columns past the last full panel (all of them without SIMD): plain columns, one scalar sum each.
        for (int j = panels; j < n; j++)
        {
            ref double column = ref Unsafe.Add(ref wr, j * kCount);
            for (int r = 0; r < rows; r++)
            {
                ref double row = ref Unsafe.Add(ref xr, r * xStride);
                double sum = 0.0;
                for (int k = 0; k < kCount; k++)
                {
                    sum += Unsafe.Add(ref row, k) * Unsafe.Add(ref column, k);
                }

                Unsafe.Add(ref yr, r * yStride + j) = 0.0 + sum;
            }
        }
    }

    /// <summary>Eight rows times one panel of 8 columns: 16 accumulators, each weight vector loaded once per k for all eight rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(ref double x, int xStride, int kCount, ref double panel, ref double y, int yStride)
    {
        Vector256<double> a00 = Vector256<double>.Zero, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        Vector256<double> a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        ref double x0 = ref x, x1 = ref Unsafe.Add(ref x, xStride), x2 = ref Unsafe.Add(ref x, 2 * xStride), x3 = ref Unsafe.Add(ref x, 3 * xStride);
        ref double x4 = ref Unsafe.Add(ref x, 4 * xStride), x5 = ref Unsafe.Add(ref x, 5 * xStride);
        ref double x6 = ref Unsafe.Add(ref x, 6 * xStride), x7 = ref Unsafe.Add(ref x, 7 * xStride);
        nuint offset = 0;
        for (int k = 0; k < kCount; k++, offset += 8)
        {
            Vector256<double> w0 = Vector256.LoadUnsafe(ref panel, offset), w1 = Vector256.LoadUnsafe(ref panel, offset + 4);
            Vector256<double> v = Vector256.Create(Unsafe.Add(ref x0, k));
            a00 += v * w0;
            a01 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x1, k));
            a10 += v * w0;
            a11 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x2, k));
            a20 += v * w0;
            a21 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x3, k));
            a30 += v * w0;
            a31 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x4, k));
            a40 += v * w0;
            a41 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x5, k));
            a50 += v * w0;
            a51 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x6, k));
            a60 += v * w0;
            a61 += v * w1;
            v = Vector256.Create(Unsafe.Add(ref x7, k));
            a70 += v * w0;
            a71 += v * w1;
        }

        Store(ref y, 0, a00, a01);
        Store(ref y, yStride, a10, a11);
        Store(ref y, 2 * yStride, a20, a21);
        Store(ref y, 3 * yStride, a30, a31);
        Store(ref y, 4 * yStride, a40, a41);
        Store(ref y, 5 * yStride, a50, a51);
        Store(ref y, 6 * yStride, a60, a61);
        Store(ref y, 7 * yStride, a70, a71);
    }

    /// <summary>Eight rows times one panel of 16 columns (two 8-lane vectors): 16 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8Wide(ref double x, int xStride, int kCount, ref double panel, ref double y, int yStride)
    {
        Vector512<double> a00 = Vector512<double>.Zero, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        Vector512<double> a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        ref double x0 = ref x, x1 = ref Unsafe.Add(ref x, xStride), x2 = ref Unsafe.Add(ref x, 2 * xStride), x3 = ref Unsafe.Add(ref x, 3 * xStride);
        ref double x4 = ref Unsafe.Add(ref x, 4 * xStride), x5 = ref Unsafe.Add(ref x, 5 * xStride);
        ref double x6 = ref Unsafe.Add(ref x, 6 * xStride), x7 = ref Unsafe.Add(ref x, 7 * xStride);
        nuint offset = 0;
        for (int k = 0; k < kCount; k++, offset += 16)
        {
            Vector512<double> w0 = Vector512.LoadUnsafe(ref panel, offset), w1 = Vector512.LoadUnsafe(ref panel, offset + 8);
            Vector512<double> v = Vector512.Create(Unsafe.Add(ref x0, k));
            a00 += v * w0;
            a01 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x1, k));
            a10 += v * w0;
            a11 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x2, k));
            a20 += v * w0;
            a21 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x3, k));
            a30 += v * w0;
            a31 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x4, k));
            a40 += v * w0;
            a41 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x5, k));
            a50 += v * w0;
            a51 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x6, k));
            a60 += v * w0;
            a61 += v * w1;
            v = Vector512.Create(Unsafe.Add(ref x7, k));
            a70 += v * w0;
            a71 += v * w1;
        }

        StoreWide(ref y, 0, a00, a01);
        StoreWide(ref y, yStride, a10, a11);
        StoreWide(ref y, 2 * yStride, a20, a21);
        StoreWide(ref y, 3 * yStride, a30, a31);
        StoreWide(ref y, 4 * yStride, a40, a41);
        StoreWide(ref y, 5 * yStride, a50, a51);
        StoreWide(ref y, 6 * yStride, a60, a61);
        StoreWide(ref y, 7 * yStride, a70, a71);
    }

    /// <summary>One row times one panel of 16 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1Wide(ref double x, int kCount, ref double panel, ref double y)
    {
        Vector512<double> a0 = Vector512<double>.Zero, a1 = a0;
        nuint offset = 0;
        for (int k = 0; k < kCount; k++, offset += 16)
        {
            Vector512<double> v = Vector512.Create(Unsafe.Add(ref x, k));
            a0 += v * Vector512.LoadUnsafe(ref panel, offset);
            a1 += v * Vector512.LoadUnsafe(ref panel, offset + 8);
        }

        StoreWide(ref y, 0, a0, a1);
    }

    /// <summary>Stores <c>+0.0 + acc</c> for 16 outputs at y[at ..].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreWide(ref double y, int at, Vector512<double> a0, Vector512<double> a1)
    {
        (Vector512<double>.Zero + a0).StoreUnsafe(ref y, (nuint)at);
        (Vector512<double>.Zero + a1).StoreUnsafe(ref y, (nuint)(at + 8));
    }

    /// <summary>One row times one panel of 8 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1(ref double x, int kCount, ref double panel, ref double y)
    {
        Vector256<double> a0 = Vector256<double>.Zero, a1 = a0;
        nuint offset = 0;
        for (int k = 0; k < kCount; k++, offset += 8)
        {
            Vector256<double> v = Vector256.Create(Unsafe.Add(ref x, k));
            a0 += v * Vector256.LoadUnsafe(ref panel, offset);
            a1 += v * Vector256.LoadUnsafe(ref panel, offset + 4);
        }

        Store(ref y, 0, a0, a1);
    }

    /// <summary>Stores <c>+0.0 + acc</c> (MathNet's last operation, see SequentialKernels) for 8 outputs at y[at ..].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double y, int at, Vector256<double> a0, Vector256<double> a1)
    {
        (Vector256<double>.Zero + a0).StoreUnsafe(ref y, (nuint)at);
        (Vector256<double>.Zero + a1).StoreUnsafe(ref y, (nuint)(at + 4));
    }
}
