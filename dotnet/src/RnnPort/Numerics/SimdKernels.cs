using System.Numerics.Tensors;

namespace RnnPort;

/// <summary>
/// <see cref="Kernel.Simd"/>: the products of <see cref="SequentialKernels"/> with every dot product
/// by <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>. Not bit-identical to
/// the sequential order; see <see cref="Kernel.Simd"/> for the bound.
/// </summary>
internal static class SimdKernels
{
    /// <summary><c>y[j] = Σ_k x[k]·W[k + j·K]</c> for a K×N column-major <paramref name="w"/>, summed by TensorPrimitives.</summary>
    /// <param name="x">The row, length K.</param>
    /// <param name="w">The matrix, column-major, at least K·N elements.</param>
    /// <param name="y">The result, length N.</param>
    internal static void RowTimesMatrix(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y)
    {
        int k = x.Length;
        if (w.Length < k * y.Length)
        {
            throw new ArgumentException($"expected at least {k}·{y.Length} matrix elements, got {w.Length}", nameof(w));
        }

        for (int j = 0; j < y.Length; j++)
        {
            y[j] = 0.0 + TensorPrimitives.Dot(x, w.Slice(j * k, k));
        }
    }
}
