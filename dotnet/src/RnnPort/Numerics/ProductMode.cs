using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnPort;

/// <summary>
/// How one term <c>acc + x·w</c> of a dot product is added, chosen at compile time (a struct type argument,
/// so the JIT emits one specialised kernel per mode and no branch).
/// </summary>
internal interface IProductMode
{
    /// <summary><c>acc + x·w</c>, lane by lane.</summary>
    static abstract Vector512<double> Add(Vector512<double> acc, Vector512<double> x, Vector512<double> w);

    /// <summary><c>acc + x·w</c>, lane by lane.</summary>
    static abstract Vector256<double> Add(Vector256<double> acc, Vector256<double> x, Vector256<double> w);

    /// <summary><c>acc + x·w</c>.</summary>
    static abstract double Add(double acc, double x, double w);
}

/// <summary>
/// The exact mode: the product rounded, then the sum rounded (<c>*</c> then <c>+</c>; RyuJIT never contracts
/// them into a fused multiply-add), MathNet's managed provider's arithmetic (docs/exact-mode.md).
/// </summary>
internal readonly struct Separate : IProductMode
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Add(Vector512<double> acc, Vector512<double> x, Vector512<double> w) => acc + (x * w);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Add(Vector256<double> acc, Vector256<double> x, Vector256<double> w) => acc + (x * w);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Add(double acc, double x, double w) => acc + (x * w);
}

/// <summary>
/// <see cref="Kernel.Simd"/>: one fused multiply-add per term (one rounding instead of two), the same order
/// of terms. Not bit-identical to <see cref="Separate"/>; within the bound of docs/exact-mode.md ("Kernel.Simd").
/// </summary>
internal readonly struct Fused : IProductMode
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Add(Vector512<double> acc, Vector512<double> x, Vector512<double> w) => Vector512.FusedMultiplyAdd(x, w, acc);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Add(Vector256<double> acc, Vector256<double> x, Vector256<double> w) => Vector256.FusedMultiplyAdd(x, w, acc);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Add(double acc, double x, double w) => Math.FusedMultiplyAdd(x, w, acc);
}
