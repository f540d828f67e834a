using System.Globalization;

namespace RnnPort;

/// <summary>
/// The entries of one stack in a version 3 model file: section S of <c>docs/model-file.md</c>.
/// NumPy twin: <c>rnnport.io.model_stack.StackFileLayout</c>. Names in writer order: per layer k and direction
/// (<c>""</c>, then <c>"_reverse"</c> when D = 2) <c>weight_ih_l{k}{s}</c>, <c>weight_hh_l{k}{s}</c>,
/// <c>bias_ih_l{k}{s}</c>, <c>bias_hh_l{k}{s}</c>; then <c>W_hy</c>, <c>b_y</c>; then <c>h0</c> (and <c>c0</c>).
/// </summary>
/// <param name="Cell">The cell's format (its name and gate blocks).</param>
/// <param name="Layers">L, 1 … <see cref="ModelMetadata.MaxLayers"/>.</param>
/// <param name="Directions">D: 2 when bidirectional, else 1.</param>
internal sealed record StackFileLayout(CellFormat Cell, int Layers, int Directions)
{
    private static readonly string[] Kinds = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];

    /// <summary>Z4: every torch name any stack may store (NumPy <c>TORCH_NAMES</c>).</summary>
    internal static readonly string[] TorchNames = Names(ModelMetadata.MaxLayers, 2, Kinds);

    /// <summary>The required layer weights, in writer order.</summary>
    internal string[] Weights => Names(Layers, Directions, ["weight_ih", "weight_hh"]);

    /// <summary>The layer biases (all or none: M6), in writer order.</summary>
    internal string[] Biases => Names(Layers, Directions, ["bias_ih", "bias_hh"]);

    /// <summary><c>h0</c> and, for the LSTM, <c>c0</c>.</summary>
    internal string[] States => Cell.Name == "lstm" ? ["h0", "c0"] : ["h0"];

    /// <summary>M1: the entries that must be present, in writer order.</summary>
    internal IEnumerable<string> Required => Weights.Concat(States);

    /// <summary>Every float entry this stack may store, in writer order.</summary>
    internal IEnumerable<string> Floats => Names(Layers, Directions, Kinds).Concat(["W_hy", "b_y"]).Concat(States);

    /// <summary>M3: weights, <c>W_hy</c>, <c>h0</c> and <c>c0</c> are 2-D; the biases 1-D.</summary>
    internal static bool TwoDimensional(string name) =>
        !name.StartsWith("bias_", StringComparison.Ordinal) && !name.StartsWith("b_", StringComparison.Ordinal);

    /// <summary>M4: each float entry's NumPy shape for I, H, O, in writer order.</summary>
    internal IEnumerable<(string Name, long[] Shape)> Shapes(long inputs, long hidden, long outputs)
    {
        long rows = Cell.Gates * hidden;
        foreach (string name in Floats)
        {
            yield return (name, name switch
            {
                _ when name.StartsWith("weight_ih_l", StringComparison.Ordinal) =>
                    [rows, name is "weight_ih_l0" or "weight_ih_l0_reverse" ? inputs : Directions * hidden],
                _ when name.StartsWith("weight_hh_l", StringComparison.Ordinal) => [rows, hidden],
                _ when name.StartsWith("bias_", StringComparison.Ordinal) => [rows],
                "W_hy" => [outputs, Directions * hidden],
                "b_y" => [outputs],
                _ => [Layers * Directions, hidden],
            });
        }
    }

    private static string[] Names(int layers, int directions, string[] kinds)
    {
        string[] suffixes = directions == 2 ? ["", "_reverse"] : [""];
        return [.. from k in Enumerable.Range(0, layers) from s in suffixes from kind in kinds select kind + "_l" + k.ToString(CultureInfo.InvariantCulture) + s];
    }
}
