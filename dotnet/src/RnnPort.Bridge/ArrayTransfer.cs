using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>
/// Block copies between a NumPy buffer and a MathNet.Numerics dense matrix, one
/// <see cref="Marshal.Copy(IntPtr, double[], int, int)"/> per array. pythonnet's default conversion
/// of an ndarray walks it element by element through the Python API; this class is why the bridge
/// never does that.
/// </summary>
/// <remarks>
/// A dense MathNet matrix stores its elements column by column. A NumPy array in Fortran order
/// (column-major) has the same layout, so a rows×columns matrix is copied from, or into, an
/// F-contiguous NumPy array of shape (rows, columns). The Python side, <c>rnnport.dotnet</c>, states
/// every transpose explicitly: <c>inputWeights</c> is built from <c>W_xh.T</c>, which is already
/// F-contiguous when <c>W_xh</c> is C-contiguous, so the transpose costs nothing.
/// The caller guarantees that <c>address</c> points at <c>rows·columns</c> float64 values that stay
/// alive and unmoved during the call (a NumPy buffer does).
/// </remarks>
public static class ArrayTransfer
{
    /// <summary>Copies rows·columns doubles, in column-major order, from <paramref name="address"/> into a new matrix.</summary>
    /// <param name="address">Address of the first element of an F-contiguous float64 buffer (NumPy's <c>a.ctypes.data</c>).</param>
    /// <param name="rows">Rows of the matrix, NumPy's <c>a.shape[0]</c>.</param>
    /// <param name="columns">Columns of the matrix, NumPy's <c>a.shape[1]</c>.</param>
    /// <returns>A new dense rows×columns matrix.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the address is null with a non-empty size.</exception>
    public static Matrix<double> ToMatrix(long address, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        // Uninitialised: the block copy below overwrites every element.
        double[] data = GC.AllocateUninitializedArray<double>(checked(rows * columns));
        if (data.Length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            Marshal.Copy(new IntPtr(address), data, 0, data.Length);
        }

        // DenseOfColumnMajor would copy again; Dense(rows, columns, storage) adopts the array.
        return Matrix<double>.Build.Dense(rows, columns, data);
    }

    /// <summary>
    /// One <see cref="RNN.TimeStep"/> straight between NumPy buffers, in one bridge crossing and without
    /// a managed allocation (with the default kernel): reads the input row from
    /// <paramref name="inputAddress"/>, advances the model by one step, writes the output row to
    /// <paramref name="outputAddress"/>. The checks, their order, their messages and the bits are those
    /// of <c>TimeStep</c> (a 1×n input of the wrong length is reported as <c>input has shape 1×n,
    /// expected 1×I</c>); a rejected call leaves the state unchanged and writes nothing.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="inputAddress">Address of <paramref name="inputLength"/> contiguous float64 values (NumPy's <c>x.ctypes.data</c>).</param>
    /// <param name="inputLength">The number of values at <paramref name="inputAddress"/>; must be I.</param>
    /// <param name="outputAddress">Address of <paramref name="outputLength"/> contiguous float64 values, written.</param>
    /// <param name="outputLength">The number of values at <paramref name="outputAddress"/>; must be O.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative, or an address is null with a non-zero length.</exception>
    /// <exception cref="ShapeMismatchException">A length differs from I or O.</exception>
    /// <exception cref="NonFiniteValueException">The input holds NaN or ±Infinity.</exception>
    public static unsafe void Step(RNN model, long inputAddress, int inputLength, long outputAddress, int outputLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegative(outputLength);
        if (inputLength > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(inputAddress);
        }

        if (outputLength > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(outputAddress);
        }

        var input = new ReadOnlySpan<double>((void*)inputAddress, inputLength);
        var output = new Span<double>((void*)outputAddress, outputLength);
        model.TimeStepInto(input, output);
    }

    /// <summary>
    /// Copies rows·columns doubles, column-major, from <paramref name="address"/> into an existing dense
    /// matrix of that shape: the bridge's reused buffers, whose pages are already mapped, so a repeated
    /// transfer runs at memory speed instead of paying a page fault per 4 KB of a fresh array.
    /// </summary>
    /// <param name="address">Address of an F-contiguous float64 buffer of the matrix's shape.</param>
    /// <param name="target">The dense matrix to overwrite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The address is null and the matrix is not empty.</exception>
    public static void CopyInto(long address, Matrix<double> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        double[] data = ColumnMajor.Storage(target);
        int length = target.RowCount * target.ColumnCount;
        if (length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            Marshal.Copy(new IntPtr(address), data, 0, length);
        }
    }

    /// <summary>Copies a matrix, in column-major order, to <paramref name="address"/>.</summary>
    /// <param name="matrix">The matrix to copy.</param>
    /// <param name="address">Address of an F-contiguous float64 buffer of shape (rows, columns).</param>
    /// <exception cref="ArgumentOutOfRangeException">The address is null and the matrix is not empty.</exception>
    public static void CopyTo(Matrix<double> matrix, long address)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        double[] data = ColumnMajor.ReadOnly(matrix);
        int length = matrix.RowCount * matrix.ColumnCount;
        if (length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            Marshal.Copy(data, 0, new IntPtr(address), length);
        }
    }
}
