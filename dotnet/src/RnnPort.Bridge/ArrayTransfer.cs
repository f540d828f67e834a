using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

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
        var data = new double[checked(rows * columns)];
        if (data.Length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            Marshal.Copy(new IntPtr(address), data, 0, data.Length);
        }

        // DenseOfColumnMajor would copy again; Dense(rows, columns, storage) adopts the array.
        return Matrix<double>.Build.Dense(rows, columns, data);
    }

    /// <summary>Copies a matrix, in column-major order, to <paramref name="address"/>.</summary>
    /// <param name="matrix">The matrix to copy.</param>
    /// <param name="address">Address of an F-contiguous float64 buffer of shape (rows, columns).</param>
    /// <exception cref="ArgumentOutOfRangeException">The address is null and the matrix is not empty.</exception>
    public static void CopyTo(Matrix<double> matrix, long address)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        double[] data = matrix.Storage is DenseColumnMajorMatrixStorage<double> dense
            ? dense.Data
            : matrix.ToColumnMajorArray();
        int length = matrix.RowCount * matrix.ColumnCount;
        if (length > 0)
        {
            ArgumentOutOfRangeException.ThrowIfZero(address);
            Marshal.Copy(data, 0, new IntPtr(address), length);
        }
    }
}
