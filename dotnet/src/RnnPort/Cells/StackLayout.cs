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
        _ => throw new ArgumentException($"cell must be 'rnn', 'lstm' or 'gru', got '{cell}'", nameof(cell)),
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
    /// Checks the keys: biases are on when any <c>bias_</c> key is given; then the first missing key in torch's
    /// order, then the first key that is not expected (in the mapping's order), is refused.
    /// </summary>
    /// <returns>Whether the biases are on.</returns>
    /// <exception cref="ArgumentException">A key is missing, or one is not a parameter of this stack.</exception>
    internal static bool CheckKeys(IReadOnlyDictionary<string, Matrix<double>> parameters, int layers, int directions)
    {
        bool biases = parameters.Keys.Any(k => k.StartsWith("bias_", StringComparison.Ordinal));
        var expected = new HashSet<string>(Names(layers, directions, biases), StringComparer.Ordinal);
        foreach (string name in Names(layers, directions, biases))
        {
            if (!parameters.ContainsKey(name))
            {
                string why = name.StartsWith("bias_", StringComparison.Ordinal) ? " (the biases are all present or all absent)" : "";
                throw new ArgumentException($"{name}: missing{why}", nameof(parameters));
            }
        }

        foreach (string name in parameters.Keys)
        {
            if (!expected.Contains(name))
            {
                throw new ArgumentException(
                    $"{name}: not a parameter of a {Guard.Number(layers)}-layer {(directions == 2 ? "bidirectional" : "unidirectional")} stack",
                    nameof(parameters));
            }
        }

        return biases;
    }

    /// <summary>
    /// Checks a weight in the row convention: C# columns×rows is NumPy (rows, columns). A negative
    /// <paramref name="columns"/> is free, shown as <paramref name="freeLabel"/>.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shape differs.</exception>
    internal static void CheckWeight(Matrix<double> m, int rows, int columns, string name, string? freeLabel)
    {
        if (m.ColumnCount != rows || (columns >= 0 && m.RowCount != columns))
        {
            string expected = $"({Guard.Number(rows)}, {(columns >= 0 ? Guard.Number(columns) : freeLabel)})";
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
