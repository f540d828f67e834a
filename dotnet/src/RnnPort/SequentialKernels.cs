using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The exact-mode kernels on raw column-major arrays: every product of a row vector and a matrix is
/// summed as MathNet.Numerics 5.0.0's managed provider sums it (docs/exact-mode.md), so the results
/// are bit for bit those of <c>x.Multiply(W)</c>, without allocating anything.
/// </summary>
/// <remarks>
/// MathNet's managed <c>MatrixMultiply</c> computes every element as
/// <c>double sum = 0; for (ii…) sum += row[ii] * col[ii]; result[…] += 1.0 * sum;</c> on a cleared
/// result, i.e. <c>+0.0 + sum</c>. <see cref="RowTimesMatrix"/> does exactly that per element. It
/// works on four columns at a time, but each of the four sums is its own chain of additions in
/// ascending k, so nothing about the order changes: interleaving independent sums only lets the CPU
/// overlap their latencies. The JIT does not vectorise these loops and does not contract
/// <c>a*b + c</c> into a fused multiply-add (docs/exact-mode.md, fact 3): every product and every
/// sum is rounded on its own.
/// </remarks>
internal static class SequentialKernels
{
    /// <summary>
    /// <c>y = x·W</c> for a row <paramref name="x"/> of length K and a K×N matrix stored column-major
    /// in <paramref name="w"/> (element (k, j) at <c>k + j·K</c>, so column j is contiguous):
    /// <c>y[j] = +0.0 + ((((+0.0 + x₀w₀ⱼ) + x₁w₁ⱼ) + …) + x_{K−1}w_{K−1,j})</c>.
    /// </summary>
    /// <param name="x">The row, length K.</param>
    /// <param name="w">The matrix, column-major, at least K·N elements.</param>
    /// <param name="y">The result, length N; must not overlap <paramref name="x"/> or <paramref name="w"/>.</param>
    internal static void RowTimesMatrix(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y)
    {
        int k = x.Length, n = y.Length;
        if (w.Length < k * n)
        {
            throw new ArgumentException($"expected at least {k}·{n} matrix elements, got {w.Length}", nameof(w));
        }

        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            ReadOnlySpan<double> c0 = w.Slice(j * k, k);
            ReadOnlySpan<double> c1 = w.Slice((j + 1) * k, k);
            ReadOnlySpan<double> c2 = w.Slice((j + 2) * k, k);
            ReadOnlySpan<double> c3 = w.Slice((j + 3) * k, k);
            double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
            for (int i = 0; i < x.Length; i++)
            {
                double xi = x[i];
                s0 += xi * c0[i];
                s1 += xi * c1[i];
                s2 += xi * c2[i];
                s3 += xi * c3[i];
            }

            // MathNet adds each sum into a cleared result: +0.0 + sum (see the remarks).
            y[j] = 0.0 + s0;
            y[j + 1] = 0.0 + s1;
            y[j + 2] = 0.0 + s2;
            y[j + 3] = 0.0 + s3;
        }

        for (; j < n; j++)
        {
            y[j] = 0.0 + Dot(x, w.Slice(j * k, k));
        }
    }

    /// <summary>
    /// The sequential dot product <c>sum = +0.0; for k ascending: sum += a[k]·b[k]</c>, one rounding
    /// per product and per addition.
    /// </summary>
    /// <param name="a">Length K.</param>
    /// <param name="b">Length K.</param>
    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        b = b[..a.Length];
        double sum = 0.0;
        for (int k = 0; k < a.Length; k++)
        {
            sum += a[k] * b[k];
        }

        return sum;
    }

    /// <summary>
    /// The column-major array behind <paramref name="m"/> when it is dense (no copy), otherwise a
    /// column-major copy. Read only: the caller must not write to the result.
    /// </summary>
    internal static double[] ColumnMajor(Matrix<double> m) => m.AsColumnMajorArray() ?? m.ToColumnMajorArray();
}
