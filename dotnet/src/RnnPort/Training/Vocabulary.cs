using System.Globalization;
using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The characters of a character-level language model; index i ↔ the i-th character. NumPy twin:
/// <c>rnnport.training.vocabulary.Vocabulary</c>. A character is a Unicode scalar value (<see cref="Rune"/>), not a
/// UTF-16 <see cref="char"/>, so that indices agree with Python's <c>str</c>, which counts code points:
/// a character beyond the BMP is one index here as there, not two surrogates.
/// </summary>
public sealed class Vocabulary
{
    private readonly Rune[] _runes;
    private readonly Dictionary<Rune, int> _index;

    /// <summary>Creates a vocabulary whose index order is the order of <paramref name="runes"/>.</summary>
    /// <param name="runes">Distinct characters; at least one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runes"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="runes"/> is empty or holds a character twice.</exception>
    public Vocabulary(IEnumerable<Rune> runes)
    {
        ArgumentNullException.ThrowIfNull(runes);
        _runes = runes.ToArray();
        if (_runes.Length == 0)
        {
            throw new ArgumentException("a vocabulary needs at least one character", nameof(runes));
        }

        _index = new Dictionary<Rune, int>(_runes.Length);
        for (int i = 0; i < _runes.Length; i++)
        {
            if (!_index.TryAdd(_runes[i], i))
            {
                throw new ArgumentException($"character {Describe(_runes[i])} appears twice in the vocabulary", nameof(runes));
            }
        }

        Chars = string.Concat(_runes.Select(r => r.ToString()));
    }

    /// <summary>V, the number of characters (NumPy <c>len(vocabulary)</c>).</summary>
    public int Count => _runes.Length;

    /// <summary>The characters in index order, as one string (NumPy <c>chars</c>); its UTF-16 length exceeds V when it holds characters beyond the BMP.</summary>
    public string Chars { get; }

    /// <summary>The characters in index order; <c>Runes[i]</c> is the character of index i.</summary>
    public IReadOnlyList<Rune> Runes => _runes;

    /// <summary>
    /// The vocabulary of <paramref name="text"/>: its distinct characters in code-point order.
    /// NumPy twin: <c>Vocabulary.of(text)</c>.
    /// </summary>
    /// <param name="text">A non-empty text of well-formed UTF-16.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> is empty or holds an unpaired surrogate.</exception>
    public static Vocabulary Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw new ArgumentException("cannot build a vocabulary from an empty text", nameof(text));
        }

        // Rune comparison is by scalar value, i.e. code point order, as Python's sorted(set(text)).
        return new Vocabulary(ToRunes(text, nameof(text)).Distinct().Order());
    }

    /// <summary>The index of each character of <paramref name="text"/>. NumPy twin: <c>encode(text)</c>.</summary>
    /// <param name="text">Well-formed UTF-16 text whose characters are all in the vocabulary.</param>
    /// <returns>One index per character (code point), in text order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException">A character is not in the vocabulary, or the text holds an unpaired surrogate.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var indices = new List<int>(text.Length);
        foreach (Rune rune in ToRunes(text, nameof(text)))
        {
            if (!_index.TryGetValue(rune, out int i))
            {
                throw new ArgumentException($"character {Describe(rune)} is not in the vocabulary", nameof(text));
            }

            indices.Add(i);
        }

        return indices.ToArray();
    }

    /// <summary>The characters of <paramref name="indices"/>. NumPy twin: <c>decode(indices)</c>.</summary>
    /// <param name="indices">Indices in [0, V).</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside [0, V).</exception>
    public string Decode(IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var text = new StringBuilder();
        foreach (int i in indices)
        {
            if (i < 0 || i >= _runes.Length)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices), string.Create(CultureInfo.InvariantCulture, $"index {i} is outside the vocabulary [0, {_runes.Length})"));
            }

            text.Append(_runes[i].ToString());
        }

        return text.ToString();
    }

    /// <summary>
    /// T×size rows of zeros with a 1.0 at each index: the inputs of a character model.
    /// NumPy twin: <c>rnnport.training.vocabulary.one_hot(indices, size)</c>.
    /// </summary>
    /// <param name="indices">T indices in [0, size).</param>
    /// <param name="size">The row length, V.</param>
    /// <returns>A new dense T×size matrix.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative, or an index lies outside [0, size).</exception>
    public static Matrix<double> OneHot(IReadOnlyList<int> indices, int size)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var rows = Matrix<double>.Build.Dense(indices.Count, size);
        for (int t = 0; t < indices.Count; t++)
        {
            int i = indices[t];
            if (i < 0 || i >= size)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices), string.Create(CultureInfo.InvariantCulture, $"indices[{t}] = {i} is outside [0, {size})"));
            }

            rows.At(t, i, 1.0);
        }

        return rows;
    }

    /// <summary>A character for a message: itself and its code point, e.g. <c>'é' (U+00E9)</c>.</summary>
    internal static string Describe(Rune rune) =>
        string.Create(CultureInfo.InvariantCulture, $"'{rune}' (U+{rune.Value:X4})");

    /// <summary>The code points of <paramref name="text"/>, refusing unpaired surrogates rather than replacing them.</summary>
    private static List<Rune> ToRunes(string text, string paramName)
    {
        var runes = new List<Rune>(text.Length);
        for (int offset = 0; offset < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(offset), out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"the text holds an unpaired surrogate at UTF-16 offset {offset}"), paramName);
            }

            runes.Add(rune);
            offset += consumed;
        }

        return runes;
    }
}
