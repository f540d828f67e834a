using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnPort;

/// <summary>
/// The exact-mode kernel on a packed copy of a matrix: every product of a row vector and a matrix is
/// summed as MathNet.Numerics 5.0.0's managed provider sums it (docs/exact-mode.md), so the results are
/// bit for bit those of <c>x.Multiply(W)</c>, without allocating anything.
/// </summary>
/// <remarks>
/// MathNet's managed <c>MatrixMultiply</c> computes every element as
/// <c>double sum = 0; for (ii…) sum += row[ii] * col[ii]; result[…] += 1.0 * sum;</c> on a cleared
/// result, i.e. <c>y[j] = +0.0 + ((((+0.0 + x₀w₀ⱼ) + x₁w₁ⱼ) + …) + x_{K−1}w_{K−1,j})</c>.
/// <see cref="RowTimesPacked"/> does exactly that per element. The JIT does not contract <c>a*b + c</c>
/// into a fused multiply-add (docs/exact-mode.md, fact 3): every product and every sum is rounded on its own.
/// </remarks>
internal static class SequentialKernels
{
    /// <summary>
    /// <c>y = x·W</c>, summed in MathNet's order (see the remarks of the class), from a copy of the K×N
    /// matrix packed by <see cref="Pack"/> (row-major panels of columns), vectorised across the outputs
    /// j instead of along the sums.
    /// </summary>
    /// <remarks>
    /// <para>Lane j of <c>acc += broadcast(x[k]) * W[k, j..j+V]</c>, for k ascending, performs exactly the
    /// scalar sequence of output j: one rounded product, then one rounded addition to that output's own
    /// running sum, in ascending k, starting from +0.0. Lanes never mix (no horizontal sum, no reordering),
    /// and the product and the sum are separate vector instructions (<c>*</c> then <c>+</c>: RyuJIT does
    /// not contract them into a fused multiply-add, for vectors as for scalars), so every lane is the
    /// IEEE-754 double result of the scalar code. Several independent accumulators per k-iteration only
    /// let the CPU overlap their latencies; columns left over are summed by the scalar loop, in the same order.</para>
    /// <para>MathNet stores <c>+0.0 + sum</c> where sum is <c>((+0.0 + p₀) + p₁) + …</c>. Starting from
    /// +0.0, the running sum can never be −0.0 in round-to-nearest (an exact cancellation gives +0.0, and
    /// +0.0 + −0.0 = +0.0), so the final <c>+0.0 +</c> never changes a bit (nor does it for ±∞ or a NaN,
    /// which pass through unchanged). It is kept anyway, once per output, as the literal MathNet operation.</para>
    /// </remarks>
    /// <param name="x">The row, length K.</param>
    /// <param name="packed">The matrix, K·N elements in the layout of <see cref="Pack"/>.</param>
    /// <param name="y">The result, length N; must not overlap <paramref name="x"/> or <paramref name="packed"/>.</param>
    internal static void RowTimesPacked(ReadOnlySpan<double> x, ReadOnlySpan<double> packed, Span<double> y) =>
        RowTimesPacked<Separate>(x, packed, y);

    /// <summary><see cref="RowTimesPacked(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double})"/> with each term added as <typeparamref name="TMode"/> adds it.</summary>
    internal static void RowTimesPacked<TMode>(ReadOnlySpan<double> x, ReadOnlySpan<double> packed, Span<double> y)
        where TMode : struct, IProductMode
    {
        int kCount = x.Length, n = y.Length;
        if (packed.Length < kCount * n)
        {
            throw new ArgumentException($"expected at least {kCount}·{n} matrix elements, got {packed.Length}", nameof(packed));
        }

        if (PackedProduct.Splits(kCount, n))
        {
            PackedProduct.RunOnTwoCores<TMode>(x, packed, y);
            return;
        }

        Range<TMode>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(packed), ref MemoryMarshal.GetReference(y), kCount, n, 0, n);
    }

    /// <summary>
    /// Columns [from, to) of <c>y = x·W</c> on the packed W (<see cref="Pack"/>): <paramref name="from"/>
    /// starts a panel, and <paramref name="to"/> is N or a multiple of <see cref="MainWidth"/> (every panel
    /// before it is then of that width). <typeparamref name="TMode"/> is <see cref="Separate"/> (exact:
    /// a rounded product, then a rounded sum) or <see cref="Fused"/> (<see cref="Kernel.Simd"/>: one
    /// fused multiply-add per term, the same order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Range<TMode>(ref double xr, ref double wr, ref double yr, int kCount, int n, int from, int to)
        where TMode : struct, IProductMode
    {
        int j = from;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; to - j >= 32; j += 32)
            {
                Vector512<double> a0 = Vector512<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                nuint offset = (nuint)j * (nuint)kCount;  // the panel of columns j … j+31: K rows of 32
                for (int k = 0; k < kCount; k++, offset += 32)
                {
                    Vector512<double> xk = Vector512.Create(Unsafe.Add(ref xr, k));
                    a0 = TMode.Add(a0, xk, Vector512.LoadUnsafe(ref wr, offset));
                    a1 = TMode.Add(a1, xk, Vector512.LoadUnsafe(ref wr, offset + 8));
                    a2 = TMode.Add(a2, xk, Vector512.LoadUnsafe(ref wr, offset + 16));
                    a3 = TMode.Add(a3, xk, Vector512.LoadUnsafe(ref wr, offset + 24));
                }

                (Vector512<double>.Zero + a0).StoreUnsafe(ref yr, (nuint)j);
                (Vector512<double>.Zero + a1).StoreUnsafe(ref yr, (nuint)(j + 8));
                (Vector512<double>.Zero + a2).StoreUnsafe(ref yr, (nuint)(j + 16));
                (Vector512<double>.Zero + a3).StoreUnsafe(ref yr, (nuint)(j + 24));
            }

            for (; to - j >= 8; j += 8)
            {
                Vector512<double> a0 = Vector512<double>.Zero;
                nuint offset = (nuint)j * (nuint)kCount;
                for (int k = 0; k < kCount; k++, offset += 8)
                {
                    a0 = TMode.Add(a0, Vector512.Create(Unsafe.Add(ref xr, k)), Vector512.LoadUnsafe(ref wr, offset));
                }

                (Vector512<double>.Zero + a0).StoreUnsafe(ref yr, (nuint)j);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; to - j >= 16; j += 16)
            {
                Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                nuint offset = (nuint)j * (nuint)kCount;
                for (int k = 0; k < kCount; k++, offset += 16)
                {
                    Vector256<double> xk = Vector256.Create(Unsafe.Add(ref xr, k));
                    a0 = TMode.Add(a0, xk, Vector256.LoadUnsafe(ref wr, offset));
                    a1 = TMode.Add(a1, xk, Vector256.LoadUnsafe(ref wr, offset + 4));
                    a2 = TMode.Add(a2, xk, Vector256.LoadUnsafe(ref wr, offset + 8));
                    a3 = TMode.Add(a3, xk, Vector256.LoadUnsafe(ref wr, offset + 12));
                }

                (Vector256<double>.Zero + a0).StoreUnsafe(ref yr, (nuint)j);
                (Vector256<double>.Zero + a1).StoreUnsafe(ref yr, (nuint)(j + 4));
                (Vector256<double>.Zero + a2).StoreUnsafe(ref yr, (nuint)(j + 8));
                (Vector256<double>.Zero + a3).StoreUnsafe(ref yr, (nuint)(j + 12));
            }

            for (; to - j >= 4; j += 4)
            {
                Vector256<double> a0 = Vector256<double>.Zero;
                nuint offset = (nuint)j * (nuint)kCount;
                for (int k = 0; k < kCount; k++, offset += 4)
                {
                    a0 = TMode.Add(a0, Vector256.Create(Unsafe.Add(ref xr, k)), Vector256.LoadUnsafe(ref wr, offset));
                }

                (Vector256<double>.Zero + a0).StoreUnsafe(ref yr, (nuint)j);
            }
        }

        // The remaining columns (all of them without SIMD), each a contiguous panel of width 1: scalar,
        // the same order per output.
        for (; j < to; j++)
        {
            double sum = 0.0;
            nuint offset = (nuint)j * (nuint)kCount;
            for (int k = 0; k < kCount; k++)
            {
                sum = TMode.Add(sum, Unsafe.Add(ref xr, k), Unsafe.Add(ref wr, offset + (nuint)k));
            }

            Unsafe.Add(ref yr, j) = 0.0 + sum;
        }
    }

    /// <summary>The width of the widest panel (32 with AVX-512, 16 with AVX2, else 1): two-core splits fall on its multiples.</summary>
    internal static int MainWidth => Vector512.IsHardwareAccelerated ? 32 : Vector256.IsHardwareAccelerated ? 16 : 1;

    /// <summary>
    /// The width of the column panel that <see cref="RowTimesPacked"/> processes at column j of N: 32 or
    /// 8 (Vector512), 16 or 4 (Vector256), else 1. <see cref="Pack"/> lays the panels out with the same widths.
    /// </summary>
    private static int PanelWidth(int j, int n)
    {
        int left = n - j;
        if (Vector512.IsHardwareAccelerated)
        {
            if (left >= 32)
            {
                return 32;
            }

            if (left >= 8)
            {
                return 8;
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            if (left >= 16)
            {
                return 16;
            }

            if (left >= 4)
            {
                return 4;
            }
        }

        return 1;
    }

    /// <summary>
    /// Packs a K×N column-major <paramref name="columnMajor"/> (element (k, j) at <c>k + j·K</c>) for
    /// <see cref="RowTimesPacked"/>: the columns are cut into panels of the widths w of
    /// <see cref="PanelWidth"/>, and the panel of columns j₀ … j₀+w−1 is stored row-major from
    /// <c>j₀·K</c>: element (k, j₀ + c) at <c>j₀·K + k·w + c</c>. Each panel's rows are then read one
    /// after the other, contiguously. Panels of width 1 are plain columns, as in the column-major input.
    /// </summary>
    /// <param name="columnMajor">K·N values, column-major.</param>
    /// <param name="rows">K.</param>
    /// <param name="columns">N.</param>
    /// <param name="packed">K·N values, receives the packed copy.</param>
    internal static void Pack(ReadOnlySpan<double> columnMajor, int rows, int columns, Span<double> packed)
    {
        for (int j0 = 0; j0 < columns;)
        {
            int w = PanelWidth(j0, columns);
            Span<double> panel = packed.Slice(j0 * rows, w * rows);
            for (int c = 0; c < w; c++)
            {
                ReadOnlySpan<double> column = columnMajor.Slice((j0 + c) * rows, rows);
                for (int k = 0; k < rows; k++)
                {
                    panel[k * w + c] = column[k];
                }
            }

            j0 += w;
        }
    }
}
