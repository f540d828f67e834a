using System.Globalization;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The model file's float entries as C# values (rules M5 and the transposes): shared by the cell and stack readers.</summary>
public static partial class ModelFile
{
    /// <summary>M5: the C# values of the float entries among <paramref name="names"/> (writer order), each finite.</summary>
    private static Dictionary<string, Matrix<double>> FiniteFloats(IEnumerable<string> names, Dictionary<string, (Npy.Header Header, byte[] Bytes)> arrays)
    {
        var floats = new Dictionary<string, Matrix<double>>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (arrays.TryGetValue(name, out var array))
            {
                floats[name] = FloatMatrix(name, array.Header, array.Bytes);
            }
        }

        return floats;
    }

    /// <summary>A '&lt;f8' entry as its C# value: NumPy (r, c) → the c×r transpose, (n,) → a 1×n row; finite (M5).</summary>
    private static Matrix<double> FloatMatrix(string name, Npy.Header header, byte[] bytes)
    {
        double[] data = Elements((header, bytes), 8, static b => BitConverter.ToDouble(b));
        for (int i = 0; i < data.Length; i++)
        {
            if (!double.IsFinite(data[i]))
            {
                throw NpzArchive.Refuse("M5", string.Create(CultureInfo.InvariantCulture, $"{name} element {i} (in file order) = {data[i]} is not finite"));
            }
        }

        if (header.Shape.Length == 1)
        {
            return Matrix<double>.Build.Dense(1, data.Length, data);
        }

        int rows = (int)header.Shape[0], columns = (int)header.Shape[1];
        return header.FortranOrder
            ? Matrix<double>.Build.Dense(rows, columns, data).Transpose()   // column-major (r, c): transpose to c×r
            : Matrix<double>.Build.Dense(columns, rows, data);              // C order (r, c) = column-major c×r, as is
    }

    private static T[] Elements<T>((Npy.Header Header, byte[] Bytes) array, int itemSize, Func<byte[], T> decode)
        where T : unmanaged
    {
        (Npy.Header header, byte[] bytes) = array;
        if (BitConverter.IsLittleEndian)
        {
            // The data are little-endian ('<f8', '<i4', '|u1'): one block copy.
            return MemoryMarshal.Cast<byte, T>(bytes.AsSpan((int)header.PreambleLength, (int)(header.Count * itemSize))).ToArray();
        }

        var values = new T[header.Count];
        var item = new byte[itemSize];
        for (long i = 0; i < header.Count; i++)
        {
            Array.Copy(bytes, header.PreambleLength + (i * itemSize), item, 0, itemSize);
            Array.Reverse(item);
            values[i] = decode(item);
        }

        return values;
    }
}
