using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RnnPort;

/// <summary>
/// Reads and writes NumPy's <c>.npy</c> format for the three dtypes a model file uses: <c>'&lt;f8'</c>
/// (weights), <c>'&lt;i4'</c> (vocabulary code points) and <c>'|u1'</c> (metadata bytes).
/// </summary>
/// <remarks>
/// Layout: the magic <c>\x93NUMPY</c>, a version (major, minor), the header length (uint16
/// little-endian in version 1.0, uint32 in 2.0; version 3.0 is refused), then an ASCII Python dict literal such as
/// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c> padded with spaces and a final
/// newline, then the raw little-endian elements. The header is parsed here as data, never evaluated,
/// so an object array (<c>'|O'</c>, pickled Python objects) is refused without running anything.
/// Every declared shape is checked against the entry's length. Rules N1–N4 of <c>docs/model-file.md</c>.
/// </remarks>
internal static partial class Npy
{
    /// <summary>The largest header text accepted: NumPy's own <c>max_header_size</c> (NumPy <c>MAX_NPY_HEADER</c>).</summary>
    internal const int MaxHeaderBytes = 10_000;

    /// <summary>The largest dimension accepted (NumPy <c>MAX_DIMENSION</c>).</summary>
    internal const long MaxDimension = int.MaxValue;

    /// <summary>numpy.lib.format.ARRAY_ALIGN: the preamble is padded to a multiple of this.</summary>
    private const int ArrayAlign = 64;

    /// <summary>numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: spare header room NumPy leaves for growing shape[0].</summary>
    private const int GrowthAxisMaxDigits = 21;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>A parsed header.</summary>
    /// <param name="Descr">The dtype string, e.g. <c>&lt;f8</c>.</param>
    /// <param name="FortranOrder">True when the data are in column-major order.</param>
    /// <param name="Shape">The dimensions, NumPy order.</param>
    /// <param name="Count">The product of the dimensions.</param>
    /// <param name="PreambleLength">Bytes before the first element.</param>
    internal sealed record Header(string Descr, bool FortranOrder, long[] Shape, long Count, long PreambleLength);

    /// <summary>Formats a shape as Python's <c>repr</c> of a tuple.</summary>
    internal static string Format(IReadOnlyList<long> shape) => shape.Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
        : "(" + string.Join(", ", shape.Select(n => n.ToString(CultureInfo.InvariantCulture))) + ")";

    /// <summary>Bytes per element of the dtypes this reader accepts.</summary>
    private static int ItemSize(string descr) => descr switch
    {
        "<f8" => 8,
        "<i4" => 4,
        "|u1" => 1,
        _ => 0,
    };

    /// <summary>
    /// Parses one <c>.npy</c> entry by rules N1–N4 of <c>docs/model-file.md</c>, without evaluating
    /// anything. NumPy twin: <c>rnnport.io.npz_archive.parse_npy</c>.
    /// </summary>
    /// <param name="name">The entry's name, for messages.</param>
    /// <param name="entry">The entry's uncompressed bytes.</param>
    /// <returns>The header; the data are the entry's bytes from <c>PreambleLength</c>, exactly Count × itemsize.</returns>
    /// <exception cref="ModelFileException">Anything wrong with the entry.</exception>
    internal static Header Parse(string name, byte[] entry)
    {
        if (entry.Length < 10 || !entry.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw NpzArchive.Refuse("N1", $"entry '{name}' is not a .npy array (no \\x93NUMPY magic)");
        }

        byte major = entry[6], minor = entry[7];
        long headerLength;
        int start;
        if (major == 1 && minor == 0)
        {
            (headerLength, start) = (BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(8)), 10);
        }
        else if (major == 2 && minor == 0 && entry.Length >= 12)
        {
            (headerLength, start) = (BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(8)), 12);
        }
        else
        {
            throw NpzArchive.Refuse("N1", string.Create(CultureInfo.InvariantCulture, $"entry '{name}' has .npy version {major}.{minor}; only 1.0 and 2.0 are read"));
        }

        if (headerLength > MaxHeaderBytes || start + headerLength > entry.Length)
        {
            throw NpzArchive.Refuse("N1", string.Create(
                CultureInfo.InvariantCulture, $"entry '{name}' declares a {headerLength}-byte header; at most {MaxHeaderBytes} within its {entry.Length} bytes are read"));
        }

        ReadOnlySpan<byte> headerBytes = entry.AsSpan(start, (int)headerLength);
        foreach (byte b in headerBytes)
        {
            if (b > 0x7E || (b < 0x20 && b is not (9 or 10 or 13)))
            {
                throw NpzArchive.Refuse("N2", $"entry '{name}' has a .npy header that is not printable ASCII");
            }
        }

        (string descr, bool fortranOrder, long[] shape) = HeaderParser.Parse(Encoding.ASCII.GetString(headerBytes), name);
        int itemSize = ItemSize(descr);
        if (itemSize == 0)
        {
            string why = descr.Contains('O', StringComparison.Ordinal) ? " (an object array: pickles are never loaded)" : "";
            throw NpzArchive.Refuse("N3", $"entry '{name}' has dtype '{descr}'{why}; a model file uses only <f8, <i4 and |u1");
        }

        if (shape.Any(n => n > MaxDimension))
        {
            throw NpzArchive.Refuse("N3", $"entry '{name}' declares shape {Format(shape)}, a dimension over {MaxDimension}");
        }

        // The element count, saturated far above any entry's length; a zero dimension makes it 0.
        const long Saturated = 1L << 40;
        long count = 1;
        foreach (long n in shape)
        {
            count = n == 0 ? 0 : count > Saturated / n ? Saturated : count * n;
        }

        if (shape.Contains(0))
        {
            count = 0;
        }

        long preamble = start + headerLength, body = entry.Length - preamble;
        if (count * itemSize != body)
        {
            throw NpzArchive.Refuse("N4", string.Create(
                CultureInfo.InvariantCulture, $"entry '{name}' declares shape {Format(shape)} of {descr} ({count * itemSize} bytes) but holds {body} bytes"));
        }

        return new Header(descr, fortranOrder, shape, count, preamble);
    }

    /// <summary>Writes a version 1.0 header, byte for byte as NumPy 1.24 writes it for a C-order array.</summary>
    internal static void WriteHeader(Stream stream, string descr, IReadOnlyList<long> shape)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {Format(shape)}, }}";
        if (shape.Count > 0)
        {
            dict += new string(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        }

        int headerLength = dict.Length + 1;                                      // + the final '\n'
        int padding = ArrayAlign - ((Magic.Length + 2 + 2 + headerLength) % ArrayAlign);
        var preamble = new byte[Magic.Length + 2 + 2 + headerLength + padding];
        Magic.CopyTo(preamble);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble.AsSpan(8), checked((ushort)(headerLength + padding)));
        Encoding.ASCII.GetBytes(dict, preamble.AsSpan(10));
        preamble.AsSpan(10 + dict.Length, padding).Fill((byte)' ');
        preamble[^1] = (byte)'\n';
        stream.Write(preamble);
    }

    /// <summary>Writes a '&lt;f8' array whose elements, in C order, are <paramref name="values"/>.</summary>
    internal static void WriteFloat64(Stream stream, IReadOnlyList<long> shape, ReadOnlySpan<double> values)
    {
        WriteHeader(stream, "<f8", shape);
        Span<byte> bytes = stackalloc byte[8];
        foreach (double v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, v);
            stream.Write(bytes);
        }
    }

    /// <summary>Writes a one-dimensional '&lt;i4' array.</summary>
    internal static void WriteInt32(Stream stream, ReadOnlySpan<int> values)
    {
        WriteHeader(stream, "<i4", [values.Length]);
        Span<byte> bytes = stackalloc byte[4];
        foreach (int v in values)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, v);
            stream.Write(bytes);
        }
    }

    /// <summary>Writes a one-dimensional '|u1' array.</summary>
    internal static void WriteUInt8(Stream stream, ReadOnlySpan<byte> values)
    {
        WriteHeader(stream, "|u1", [values.Length]);
        stream.Write(values);
    }
}
