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
/// little-endian in version 1.0, uint32 in 2.0 and 3.0), then an ASCII Python dict literal such as
/// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c> padded with spaces and a final
/// newline, then the raw little-endian elements. The header is parsed here as data, never evaluated,
/// so an object array (<c>'|O'</c>, pickled Python objects) is refused without running anything.
/// Every declared shape is checked against the entry's length before anything is allocated.
/// </remarks>
internal static class Npy
{
    /// <summary>The largest element count accepted for one array: 2^28 (2 GiB of doubles).</summary>
    internal const long MaxElements = 1L << 28;

    /// <summary>The largest header accepted (NumPy itself refuses more than 10 000 bytes by default).</summary>
    internal const int MaxHeaderBytes = 1 << 16;

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
    /// Reads and checks the header of entry <paramref name="name"/>: the dtype must be
    /// <paramref name="descr"/> with <paramref name="dimensions"/> axes, and the data that the shape
    /// declares must be exactly what remains of the entry's <paramref name="entryLength"/> bytes.
    /// </summary>
    /// <exception cref="ModelFileException">Anything wrong with the header.</exception>
    /// <exception cref="EndOfStreamException">The entry ends inside the header.</exception>
    internal static Header ReadHeader(Stream stream, long entryLength, string name, string descr, int dimensions)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        if (!prefix[..6].SequenceEqual(Magic))
        {
            throw new ModelFileException($"entry '{name}' is not a .npy array (no \\x93NUMPY magic)");
        }

        byte major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new ModelFileException($"entry '{name}' has .npy format version {major}.{minor}, expected 1.0, 2.0 or 3.0");
        }

        long headerLength;
        int lengthBytes = major == 1 ? 2 : 4;
        Span<byte> lengthField = stackalloc byte[4];
        stream.ReadExactly(lengthField[..lengthBytes]);
        headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderBytes)
        {
            throw new ModelFileException($"entry '{name}' declares a {headerLength}-byte header, more than the {MaxHeaderBytes} accepted");
        }

        long preamble = 6 + 2 + lengthBytes + headerLength;
        if (preamble > entryLength)
        {
            throw new ModelFileException($"entry '{name}' is {entryLength} bytes long, shorter than its {preamble}-byte header");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string text;
        try
        {
            // Versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8 (NumPy's _header_size_info).
            text = major == 3 ? new UTF8Encoding(false, true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException error)
        {
            throw new ModelFileException($"entry '{name}' has a header that is not UTF-8", error);
        }

        (string actualDescr, bool fortranOrder, long[] shape) = HeaderParser.Parse(text, name);
        if (actualDescr != descr || shape.Length != dimensions)
        {
            string why = actualDescr == "|O" ? " (an object array: pickled Python objects are never loaded)" : "";
            throw new ModelFileException(
                $"entry '{name}' has dtype {actualDescr} and {shape.Length} dimensions, expected {descr} with {dimensions}{why}");
        }

        long count = 1;
        foreach (long n in shape)
        {
            if (n > MaxElements)
            {
                throw new ModelFileException($"entry '{name}' declares shape {Format(shape)}, more than the {MaxElements} elements accepted");
            }

            count = count == 0 || n == 0 ? 0 : count * n;  // both factors ≤ 2^28: no overflow
            if (count > MaxElements)
            {
                throw new ModelFileException($"entry '{name}' declares shape {Format(shape)}, more than the {MaxElements} elements accepted");
            }
        }

        long dataLength = count * ItemSize(actualDescr);
        if (preamble + dataLength != entryLength)
        {
            throw new ModelFileException(
                $"entry '{name}' declares shape {Format(shape)} of {actualDescr}, {dataLength} bytes of data, " +
                $"but holds {entryLength - preamble} (truncated or corrupt)");
        }

        return new Header(actualDescr, fortranOrder, shape, count, preamble);
    }

    /// <summary>Reads <paramref name="header"/>.Count little-endian float64 values, in chunks (no byte array of the full size).</summary>
    internal static double[] ReadFloat64(Stream stream, Header header) =>
        ReadElements(stream, header, 8, static (bytes) => BinaryPrimitives.ReadDoubleLittleEndian(bytes));

    /// <summary>Reads <paramref name="header"/>.Count little-endian int32 values.</summary>
    internal static int[] ReadInt32(Stream stream, Header header) =>
        ReadElements(stream, header, 4, static (bytes) => BinaryPrimitives.ReadInt32LittleEndian(bytes));

    /// <summary>Reads <paramref name="header"/>.Count bytes.</summary>
    internal static byte[] ReadUInt8(Stream stream, Header header) =>
        ReadElements(stream, header, 1, static (bytes) => bytes[0]);

    private delegate T Decode<out T>(ReadOnlySpan<byte> bytes);

    private static T[] ReadElements<T>(Stream stream, Header header, int itemSize, Decode<T> decode)
    {
        var values = new T[header.Count];  // ≤ MaxElements, and matched to the entry's length already
        var buffer = new byte[Math.Min(header.Count * itemSize, 1 << 16)];
        int perChunk = buffer.Length / itemSize;
        for (long done = 0; done < header.Count;)
        {
            int n = (int)Math.Min(perChunk, header.Count - done);
            stream.ReadExactly(buffer, 0, n * itemSize);
            for (int i = 0; i < n; i++)
            {
                values[done + i] = decode(buffer.AsSpan(i * itemSize, itemSize));
            }

            done += n;
        }

        if (stream.ReadByte() != -1)
        {
            throw new InvalidDataException("the entry holds more bytes than its header declares");
        }

        return values;
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

    /// <summary>
    /// Parses the header's Python dict literal: exactly the keys <c>descr</c> (a string),
    /// <c>fortran_order</c> (True or False) and <c>shape</c> (a tuple of non-negative integers), in any
    /// order, as <c>numpy.lib.format</c> requires. Nothing else is accepted (no structured dtypes, no
    /// expressions).
    /// </summary>
    private ref struct HeaderParser
    {
        private readonly string _text;
        private readonly string _name;
        private int _at;

        private HeaderParser(string text, string name)
        {
            _text = text;
            _name = name;
            _at = 0;
        }

        internal static (string Descr, bool FortranOrder, long[] Shape) Parse(string text, string name)
        {
            var parser = new HeaderParser(text, name);
            string? descr = null;
            bool? fortranOrder = null;
            long[]? shape = null;
            parser.Expect('{');
            while (!parser.TryTake('}'))
            {
                string key = parser.String();
                parser.Expect(':');
                switch (key)
                {
                    case "descr" when descr is null:
                        descr = parser.Peek() is '\'' or '"' ? parser.String() : throw parser.Error("descr is not a simple dtype string");
                        break;
                    case "fortran_order" when fortranOrder is null:
                        fortranOrder = parser.Boolean();
                        break;
                    case "shape" when shape is null:
                        shape = parser.Tuple();
                        break;
                    default:
                        throw parser.Error($"unexpected or repeated key '{key}'");
                }

                if (!parser.TryTake(','))
                {
                    parser.Expect('}');
                    break;
                }
            }

            parser.SkipWhitespace();
            if (parser._at != text.Length)
            {
                throw parser.Error("text after the dict");
            }

            if (descr is null || fortranOrder is null || shape is null)
            {
                throw parser.Error("the keys must be exactly 'descr', 'fortran_order' and 'shape'");
            }

            return (descr, fortranOrder.Value, shape);
        }

        private ModelFileException Error(string why) =>
            new($"entry '{_name}' has a malformed .npy header ({why}): {Shorten(_text)}");

        private static string Shorten(string text) => text.Length <= 200 ? text.TrimEnd() : text[..200] + "…";

        private void SkipWhitespace()
        {
            while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r')
            {
                _at++;
            }
        }

        private char Peek()
        {
            SkipWhitespace();
            return _at < _text.Length ? _text[_at] : '\0';
        }

        private bool TryTake(char c)
        {
            if (Peek() != c)
            {
                return false;
            }

            _at++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Error($"expected '{c}'");
            }
        }

        private string String()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"'))
            {
                throw Error("expected a quoted string");
            }

            int end = _text.IndexOf(quote, _at + 1);
            if (end < 0 || _text.AsSpan(_at + 1, end - _at - 1).Contains('\\'))
            {
                throw Error("unterminated or escaped string");
            }

            string value = _text.Substring(_at + 1, end - _at - 1);
            _at = end + 1;
            return value;
        }

        private bool Boolean()
        {
            SkipWhitespace();
            foreach ((string word, bool value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(_text, _at, word, 0, word.Length) == 0)
                {
                    _at += word.Length;
                    return value;
                }
            }

            throw Error("fortran_order is not True or False");
        }

        private long[] Tuple()
        {
            Expect('(');
            var dimensions = new List<long>();
            bool trailingComma = false;
            while (!TryTake(')'))
            {
                SkipWhitespace();
                int start = _at;
                while (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
                {
                    _at++;
                }

                // 19 digits always fit a long; anything longer is beyond every cap anyway.
                if (_at == start || _at - start > 18)
                {
                    throw Error("shape is not a tuple of non-negative integers of at most 18 digits");
                }

                dimensions.Add(long.Parse(_text.AsSpan(start, _at - start), NumberStyles.None, CultureInfo.InvariantCulture));
                trailingComma = TryTake(',');
                if (!trailingComma)
                {
                    Expect(')');
                    break;
                }
            }

            if (dimensions.Count == 1 && !trailingComma)
            {
                throw Error("'(n)' is an integer in Python, not a shape; a 1-D shape is '(n,)'");
            }

            return dimensions.ToArray();
        }
    }
}
