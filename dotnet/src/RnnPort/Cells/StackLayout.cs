using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// A stack's names and shape rules (docs/stacks.md, "Parameters"): torch's parameter names in torch's order,
/// and the construction checks, whose messages give NumPy shapes (<c>weight_ih_l1 has shape (12, 5), expected
/// (12, 6)</c>) as the NumPy twin's do. NumPy twin: the name and shape checks of <c>rnnport.cells.stack</c>.
/// </summary>
internal static class StackLayout
{
    /// <summary>G for a cell name: 1, 4 or 3.</summary>
    /// <exception cref="ArgumentException">Not <c>rnn</c>, <c>lstm</c> or <c>gru</c>.</exception>
    internal static int Gates(string cell) => cell switch
    {
        "rnn" => 1,
        "lstm" => 4,
        "gru" => 3,
        _ => throw new ArgumentException($"unknown cell '{cell}': expected 'rnn', 'lstm' or 'gru'", nameof(cell)),
    };

    /// <summary>The suffix of layer k, direction d: <c>_l{k}</c> or <c>_l{k}_reverse</c>.</summary>
    internal static string Suffix(int k, int d) => $"_l{Guard.Number(k)}{(d == 1 ? "_reverse" : "")}";

    /// <summary>torch's <c>_flat_weights_names</c>: per layer, per direction, weight_ih, weight_hh (, bias_ih, bias_hh).</summary>
    internal static IEnumerable<string> Names(int layers, int directions, bool biases)
    {
        for (int k = 0; k < layers; k++)
        {
            for (int d = 0; d < directions; d++)
            {
                string s = Suffix(k, d);
                yield return "weight_ih" + s;
                yield return "weight_hh" + s;
                if (biases)
                {
                    yield return "bias_ih" + s;
                    yield return "bias_hh" + s;
                }
            }
        }
    }

    /// <summary>The layer number k of a name <c>…_l{k}…</c>.</summary>
    internal static int LayerOf(string name)
    {
        int start = name.IndexOf("_l", StringComparison.Ordinal) + 2, end = start;
        while (end < name.Length && char.IsAsciiDigit(name[end]))
        {
            end++;
        }

        return int.Parse(name.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Checks the keys in the NumPy twin's order: the first key that is not a parameter (in the mapping's order), then
    /// the first missing weight, then the first missing bias when some are given (all or none).
    /// </summary>
    /// <returns>Whether the biases are on.</returns>
    /// <exception cref="ArgumentException">A key is not a parameter of this stack, or one is missing.</exception>
    internal static bool CheckKeys(IReadOnlyDictionary<string, Matrix<double>> parameters, string cell, int layers, int directions)
    {
        string what = $"a {Guard.Number(layers)}-layer {(directions == 2 ? "bidirectional" : "unidirectional")} {cell} stack";
        var all = new HashSet<string>(Names(layers, directions, biases: true), StringComparer.Ordinal);
        foreach (string name in parameters.Keys)
        {
            if (!all.Contains(name))
            {
                string why = name.StartsWith("weight_hr_", StringComparison.Ordinal)
                    ? "proj_size > 0 (LSTM projections) is not supported"
                    : $"not a parameter of {what}";
                throw new ArgumentException($"{name}: {why}", nameof(parameters));
            }
        }

        foreach (string name in Names(layers, directions, biases: false))
        {
            if (!parameters.ContainsKey(name))
            {
                throw new ArgumentException($"{name}: missing ({what} needs it)", nameof(parameters));
            }
        }

        string[] biasNames = Names(layers, directions, biases: true).Where(n => n.StartsWith("bias_", StringComparison.Ordinal)).ToArray();
        int given = biasNames.Count(parameters.ContainsKey);
        if (given > 0 && given < biasNames.Length)
        {
            string missing = biasNames.First(n => !parameters.ContainsKey(n));
            throw new ArgumentException($"{missing}: missing (the biases are all present or all absent)", nameof(parameters));
        }

        return given > 0;
    }

    /// <summary>
    /// Checks a weight held transposed: the C# columns×rows matrix is NumPy (<paramref name="rows"/>, <paramref name="columns"/>).
    /// A negative size is free, shown as <paramref name="freeLabel"/>.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shape differs (the message in NumPy shapes).</exception>
    internal static void CheckWeight(Matrix<double> m, int rows, int columns, string name, string? freeLabel)
    {
        if ((rows >= 0 && m.ColumnCount != rows) || (columns >= 0 && m.RowCount != columns))
        {
            string expected = $"({(rows >= 0 ? Guard.Number(rows) : freeLabel)}, {(columns >= 0 ? Guard.Number(columns) : freeLabel)})";
            throw new ShapeMismatchException(name, expected, Numpy(m));
        }
    }

    /// <summary>Checks a bias: a 1×n row, NumPy (n,).</summary>
    /// <exception cref="ShapeMismatchException">The shape differs.</exception>
    internal static void CheckVector(Matrix<double> m, int length, string name)
    {
        if (m.RowCount != 1 || m.ColumnCount != length)
        {
            throw new ShapeMismatchException(name, $"({Guard.Number(length)},)", m.RowCount == 1 ? $"({Guard.Number(m.ColumnCount)},)" : Numpy(m));
        }
    }

    /// <summary>Checks initial states: (L·D)×H in both languages.</summary>
    /// <exception cref="ShapeMismatchException">The shape differs.</exception>
    internal static void CheckStates(Matrix<double>? m, int rows, int hidden, string name)
    {
        if (m is not null && (m.RowCount != rows || m.ColumnCount != hidden))
        {
            throw new ShapeMismatchException(name, $"({Guard.Number(rows)}, {Guard.Number(hidden)})", $"({Guard.Number(m.RowCount)}, {Guard.Number(m.ColumnCount)})");
        }
    }

    /// <summary>The NumPy shape of a transposed matrix.</summary>
    private static string Numpy(Matrix<double> m) => $"({Guard.Number(m.ColumnCount)}, {Guard.Number(m.RowCount)})";
}
