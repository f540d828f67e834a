using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnPort.Bridge;

/// <summary>
/// Block copies between a C-contiguous (B, T, n) NumPy buffer and a .NET <c>double[B, T, n]</c>, whose
/// storage is the same row-major order: one copy per array, for the cells' <c>ForwardBatch</c>. NumPy twin:
/// <c>rnnport.dotnet.transfer.batch_to_net</c> and <c>batch_from_net</c>.
/// </summary>
/// <remarks>
/// The caller guarantees that <c>address</c> points at <c>B·T·n</c> float64 values that stay alive and
/// unmoved during the call (a NumPy buffer does).
/// </remarks>
public static class BatchTransfer
{
    /// <summary>Copies B·T·n doubles from <paramref name="address"/> into a new <c>double[B, T, n]</c>.</summary>
    /// <param name="address">The first element of a C-contiguous float64 (B, T, n) buffer (NumPy's <c>a.ctypes.data</c>).</param>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="width">n.</param>
    /// <returns>The new array.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the address is null with a non-empty size.</exception>
    public static unsafe double[,,] ToBatch(long address, int batch, int steps, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        var array = new double[batch, steps, width];
        if (array.Length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            new ReadOnlySpan<double>((void*)address, array.Length).CopyTo(Flat(array));
        }

        return array;
    }

    /// <summary>
    /// Copies B·T 32-bit integers from <paramref name="address"/> into a new <c>int[B, T]</c>: the targets of
    /// <c>BatchBptt.Run</c>. NumPy twin: <c>rnnport.dotnet.transfer.batch_targets_to_net</c>.
    /// </summary>
    /// <param name="address">The first element of a C-contiguous int32 (B, T) buffer.</param>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    /// <returns>The new array.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the address is null with a non-empty size.</exception>
    public static unsafe int[,] ToTargets(long address, int batch, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var array = new int[batch, steps];
        if (array.Length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            new ReadOnlySpan<int>((void*)address, array.Length).CopyTo(
                MemoryMarshal.CreateSpan(ref Unsafe.As<byte, int>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length));
        }

        return array;
    }

    /// <summary>Copies a <c>double[B, T, n]</c> to a C-contiguous float64 (B, T, n) buffer at <paramref name="address"/>.</summary>
    /// <param name="array">The array.</param>
    /// <param name="address">The buffer's first element.</param>
    /// <exception cref="ArgumentOutOfRangeException">The address is null and the array is not empty.</exception>
    public static unsafe void CopyTo(double[,,] array, long address)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            Flat(array).CopyTo(new Span<double>((void*)address, array.Length));
        }
    }

    private static Span<double> Flat(double[,,] array) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length);
}
