using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// What a model file holds: the model, its vocabulary when it is a character model, and the
/// hyperparameters it was trained with. NumPy twin: <c>rnnport.io.model_file.ModelFile</c>.
/// </summary>
public sealed class ModelFileContents
{
    /// <summary>Bundles the three parts.</summary>
    /// <param name="model">The network (an <see cref="RNN"/>, <see cref="LSTM"/> or <see cref="GRU"/>), its state at its initial state.</param>
    /// <param name="vocabulary">The characters of the inputs and outputs, or null (NumPy: V = 0).</param>
    /// <param name="hyperparameters">The training settings; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is none of the cells a model file holds.</exception>
    public ModelFileContents(IRecurrentCell model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        Cell = model ?? throw new ArgumentNullException(nameof(model));
        CellName = ModelFileCells.Of(model).Cell.Name;
        Vocabulary = vocabulary;
        Hyperparameters = hyperparameters ?? [];
    }

    /// <summary>The network, whichever cell it is (NumPy <c>model</c>).</summary>
    public IRecurrentCell Cell { get; }

    /// <summary>The metadata's <c>cell</c>: <c>"rnn"</c>, <c>"lstm"</c> or <c>"gru"</c> (NumPy <c>cell</c>).</summary>
    public string CellName { get; }

    /// <summary>The network of an RNN file (the API before files held other cells).</summary>
    /// <exception cref="InvalidOperationException">The file holds another cell: use <see cref="Cell"/>.</exception>
    public RNN Model => Cell as RNN
        ?? throw new InvalidOperationException($"this model file holds the cell '{CellName}', not an RNN; use Cell");

    /// <summary>The vocabulary, V = I characters, or null when the file has none (NumPy <c>vocabulary</c>).</summary>
    public Vocabulary? Vocabulary { get; }

    /// <summary>The metadata's <c>hyperparameters</c> object (NumPy <c>hyperparameters</c>, a dict); empty when absent.</summary>
    public JsonObject Hyperparameters { get; }
}
