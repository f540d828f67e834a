using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// Writes JSON exactly as Python's <c>json.dumps(value, sort_keys=True)</c> does, so that the metadata
/// C# writes into a model file is byte for byte what the NumPy twin writes for the same values:
/// separators <c>", "</c> and <c>": "</c>, keys sorted by code point at every level, every character
/// outside printable ASCII escaped as <c>\uXXXX</c> (lower-case hex; surrogate pairs beyond the BMP),
/// floats in Python's <c>repr</c> form (<c>0.1</c>, <c>5.0</c>, <c>1e-05</c>, <c>1e+16</c>), integers as digits.
/// </summary>
internal static class PythonJson
{
    /// <summary>Serialises <paramref name="node"/>; a JSON null when it is null.</summary>
    /// <exception cref="ArgumentException">A number is NaN or ±Infinity (JSON has no such number; Python would write a non-standard literal).</exception>
    internal static string Serialize(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                bool first = true;
                foreach (KeyValuePair<string, JsonNode?> property in obj.OrderBy(p => p.Key, CodePointComparer.Instance))
                {
                    text.Append(first ? "" : ", ");
                    WriteString(text, property.Key);
                    text.Append(": ");
                    Write(text, property.Value);
                    first = false;
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    Write(text, array[i]);
                }

                text.Append(']');
                break;
            case JsonValue value:
                WriteValue(text, value);
                break;
            default:
                throw new ArgumentException($"unsupported JSON node {node.GetType().Name}");
        }
    }

    private static void WriteValue(StringBuilder text, JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            WriteElement(text, element);
            return;
        }

        // A value built from a CLR object: its kind decides int or float, as Python's int and float do.
        // A string is written as it is (a lone surrogate stays one, for the metadata check to refuse),
        // not through the serializer, which would replace it with U+FFFD.
        if (value.TryGetValue(out string? str))
        {
            WriteString(text, str);
        }
        else if (value.TryGetValue(out double d))
        {
            text.Append(Repr(d));
        }
        else if (value.TryGetValue(out float f))
        {
            text.Append(Repr(f));
        }
        else if (value.TryGetValue(out Half half))
        {
            text.Append(Repr((double)half));
        }
        else if (value.TryGetValue(out decimal m))
        {
            text.Append(Repr((double)m));
        }
        else
        {
            // Strings, booleans, integers and anything else the serializer can write: through its JSON form.
            using JsonDocument document = JsonDocument.Parse(value.ToJsonString());
            WriteElement(text, document.RootElement);
        }
    }

    private static void WriteElement(StringBuilder text, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                WriteString(text, element.GetString()!);
                break;
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                bool isFloat = raw.AsSpan().IndexOfAny(".eE") >= 0;
                text.Append(isFloat ? Repr(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)) : NormaliseInteger(raw));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            case JsonValueKind.Null:
                text.Append("null");
                break;
            default:
                // Objects and arrays inside one JsonValue: rebuild them as nodes to sort their keys.
                Write(text, JsonNode.Parse(element.GetRawText()));
                break;
        }
    }

    /// <summary>Python writes <c>-0</c> as <c>0</c> (an int has no negative zero); other integers as they are.</summary>
    private static string NormaliseInteger(string raw) => raw == "-0" ? "0" : raw;

    /// <summary>Python's <c>repr(float)</c> of a finite double, from .NET's shortest round-trip digits.</summary>
    internal static string Repr(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"JSON numbers must be finite, got {value}"), nameof(value));
        }

        // "R" gives the shortest digits that round-trip, as Python's repr does, e.g. "1E-05", "123.45",
        // "1.5E+16"; take them apart into digits D and a decimal point position such that value = 0.D × 10^point.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int point = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        point -= leading;
        string sign = double.IsNegative(value) ? "-" : "";
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        // CPython's float_repr_style 'short', mode 'r': exponent notation when point ≤ −4 or point > 16.
        if (point <= -4 || point > 16)
        {
            int exp = point - 1;
            string body = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{body}e{(exp < 0 ? '-' : '+')}{Math.Abs(exp):00}");
        }

        if (point <= 0)
        {
            return sign + "0." + new string('0', -point) + digits;
        }

        if (point >= digits.Length)
        {
            return sign + digits + new string('0', point - digits.Length) + ".0";
        }

        return sign + digits[..point] + "." + digits[point..];
    }

    /// <summary>A JSON string with Python's <c>ensure_ascii=True</c> escapes.</summary>
    private static void WriteString(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>Orders strings by code point, as Python sorts <c>str</c>; UTF-16 ordinal order differs beyond the BMP.</summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        internal static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return string.CompareOrdinal(x, y);
            }

            StringRuneEnumerator a = x.EnumerateRunes(), b = y.EnumerateRunes();
            while (true)
            {
                bool hasA = a.MoveNext(), hasB = b.MoveNext();
                if (!hasA || !hasB)
                {
                    return hasA.CompareTo(hasB);
                }

                int order = a.Current.Value.CompareTo(b.Current.Value);
                if (order != 0)
                {
                    return order;
                }
            }
        }
    }
}
