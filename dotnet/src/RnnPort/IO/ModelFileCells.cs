using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// How one cell lies in a model file: rules M1 and M4 of <c>docs/model-file.md</c>, per cell.
/// NumPy twin: <c>rnnport.io.model_cells.CellFormat</c>.
/// </summary>
/// <param name="Name">The metadata's <c>cell</c> value.</param>
/// <param name="Gates">Row blocks (NumPy layout) of the input and recurrent weights: 1, 4 or 3.</param>
/// <param name="InputWeights">The input weights' entry name (<c>W_xh</c> or <c>W_ih</c>).</param>
/// <param name="Required">Required float entries, in writer order.</param>
/// <param name="Optional">Optional float entries, in writer order.</param>
/// <param name="BiasRows">The optional biases of Gates·H entries (the others' length is O).</param>
/// <param name="Arrays">The C# values of a model's float entries in writer order (null: an absent bias), or null when the model is not this cell.</param>
/// <param name="Build">The model from its entries' C# values (transposes; 1×n rows) and the activation.</param>
internal sealed record CellFormat(
    string Name,
    int Gates,
    string InputWeights,
    string[] Required,
    string[] Optional,
    string[] BiasRows,
    Func<IRecurrentCell, (string Name, Matrix<double>? Value)[]?> Arrays,
    Func<IReadOnlyDictionary<string, Matrix<double>>, Activation, IRecurrentCell> Build)
{
    /// <summary>Every float entry, in writer order.</summary>
    internal IEnumerable<string> Floats => Required.Concat(Optional);

    /// <summary>M4: each float entry's NumPy shape for I, H, O.</summary>
    internal IEnumerable<(string Name, long[] Shape)> Shapes(long inputs, long hidden, long outputs)
    {
        long rows = Gates * hidden;
        foreach (string name in Floats)
        {
            yield return (name, name switch
            {
                "W_hh" => [rows, hidden],
                "W_hy" => [outputs, hidden],
                "h0" or "c0" => [hidden],
                "b_y" => [outputs],
                _ when name == InputWeights => [rows, inputs],
                _ => BiasRows.Contains(name) ? [rows] : throw new InvalidOperationException(name),
            });
        }
    }
}

/// <summary>
/// The registry of cells a model file can hold, keyed by the metadata's <c>cell</c> (rule D7).
/// NumPy twin: <c>rnnport.io.model_cells.CELLS</c>.
/// </summary>
internal static class ModelFileCells
{
    /// <summary>The cells, in the order of the specification's table.</summary>
    internal static readonly CellFormat[] All =
    [
        new("rnn", 1, "W_xh", ["W_xh", "W_hh", "W_hy", "h0"], ["b_h", "b_y"], ["b_h"],
            cell => cell is RNN rnn
                ? [("W_xh", rnn.InputWeights), ("W_hh", rnn.RecurrentWeights), ("W_hy", rnn.OutputWeights), ("h0", rnn.InitialState),
                   ("b_h", rnn.HiddenBias), ("b_y", rnn.OutputBias)]
                : null,
            (m, activation) => new RNN(m["W_xh"], m["W_hh"], m["W_hy"], m["h0"], activation, m.GetValueOrDefault("b_h"), m.GetValueOrDefault("b_y"))),
        new("lstm", 4, "W_ih", ["W_ih", "W_hh", "W_hy", "h0", "c0"], ["b_ih", "b_hh", "b_y"], ["b_ih", "b_hh"],
            cell => cell is LSTM lstm
                ? [("W_ih", lstm.InputWeights), ("W_hh", lstm.RecurrentWeights), ("W_hy", lstm.OutputWeights), ("h0", lstm.InitialState),
                   ("c0", lstm.InitialCellState), ("b_ih", lstm.InputBias), ("b_hh", lstm.RecurrentBias), ("b_y", lstm.OutputBias)]
                : null,
            (m, _) => new LSTM(m["W_ih"], m["W_hh"], m["W_hy"], m["h0"], m["c0"], m.GetValueOrDefault("b_ih"), m.GetValueOrDefault("b_hh"), m.GetValueOrDefault("b_y"))),
        new("gru", 3, "W_ih", ["W_ih", "W_hh", "W_hy", "h0"], ["b_ih", "b_hh", "b_y"], ["b_ih", "b_hh"],
            cell => cell is GRU gru
                ? [("W_ih", gru.InputWeights), ("W_hh", gru.RecurrentWeights), ("W_hy", gru.OutputWeights), ("h0", gru.InitialState),
                   ("b_ih", gru.InputBias), ("b_hh", gru.RecurrentBias), ("b_y", gru.OutputBias)]
                : null,
            (m, _) => new GRU(m["W_ih"], m["W_hh"], m["W_hy"], m["h0"], m.GetValueOrDefault("b_ih"), m.GetValueOrDefault("b_hh"), m.GetValueOrDefault("b_y"))),
    ];

    /// <summary>Every float entry name of every cell (rule Z4), NumPy <c>ENTRY_NAMES</c>.</summary>
    internal static readonly string[] EntryNames = ["W_xh", "W_ih", "W_hh", "W_hy", "h0", "c0", "b_h", "b_ih", "b_hh", "b_y"];

    /// <summary>The format of <paramref name="model"/>'s cell and the values of its entries (rule W1).</summary>
    /// <exception cref="ArgumentException">The model is none of the registered cells.</exception>
    internal static (CellFormat Cell, (string Name, Matrix<double>? Value)[] Values) Of(IRecurrentCell model)
    {
        foreach (CellFormat cell in All)
        {
            if (cell.Arrays(model) is { } values)
            {
                return (cell, values);
            }
        }

        throw new ArgumentException($"a model file holds an RNN, LSTM or GRU, not a {model.GetType().Name}", nameof(model));
    }

    /// <summary>The cell named <paramref name="name"/>, or null.</summary>
    internal static CellFormat? Named(string name) => All.FirstOrDefault(c => c.Name == name);
}
