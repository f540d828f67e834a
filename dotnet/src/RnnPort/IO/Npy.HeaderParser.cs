using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RnnPort;

/// <summary>The parser of an <c>.npy</c> header's dict literal (docs/model-file.md, section N).</summary>
internal static partial class Npy
{
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
            NpzArchive.Refuse("N2", $"entry '{_name}' has a malformed .npy header ({why}): {Shorten(_text)}");

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

                // No sign, no leading zeros (Python's literal rules); 18 digits always fit a long.
                if (_at == start || _at - start > 18 || (_at - start > 1 && _text[start] == '0'))
                {
                    throw Error("shape is not a tuple of decimal integers");
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
