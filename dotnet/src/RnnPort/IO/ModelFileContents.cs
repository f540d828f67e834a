using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// What a model file holds: the model, its vocabulary when it is a character model, and the
/// hyperparameters it was trained with. NumPy twin: <c>rnnport.io.model_file.ModelFile</c>.
/// A version 1 or 2 file holds a cell (<see cref="Cell"/>); a version 3 file a stack (<see cref="Stack"/>,
/// <see cref="IsStack"/>); asking for the other throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class ModelFileContents
{
    private readonly IRecurrentCell? _cell;
    private readonly RecurrentStack? _stack;

    /// <summary>Bundles the three parts.</summary>
    /// <param name="model">The network (an <see cref="RNN"/>, <see cref="LSTM"/> or <see cref="GRU"/>), its state at its initial state.</param>
    /// <param name="vocabulary">The characters of the inputs and outputs, or null (NumPy: V = 0).</param>
    /// <param name="hyperparameters">The training settings; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is none of the cells a model file holds.</exception>
    public ModelFileContents(IRecurrentCell model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        _cell = model ?? throw new ArgumentNullException(nameof(model));
        CellName = ModelFileCells.Of(model).Cell.Name;
        Vocabulary = vocabulary;
        Hyperparameters = hyperparameters ?? [];
    }

    /// <summary>Bundles a stack (a version 3 file) with its vocabulary and hyperparameters.</summary>
    /// <param name="stack">The stack, its state at its initial states.</param>
    /// <param name="vocabulary">The characters of the inputs and outputs, or null (NumPy: V = 0).</param>
    /// <param name="hyperparameters">The training settings; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stack"/> is null.</exception>
    public ModelFileContents(RecurrentStack stack, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        _stack = stack ?? throw new ArgumentNullException(nameof(stack));
        CellName = stack.CellName;
        Vocabulary = vocabulary;
        Hyperparameters = hyperparameters ?? [];
    }

    /// <summary>The network of a version 1 or 2 file, whichever cell it is (NumPy <c>model</c>).</summary>
    /// <exception cref="InvalidOperationException">The file holds a stack (version 3): use <see cref="Stack"/>.</exception>
    public IRecurrentCell Cell => _cell
        ?? throw new InvalidOperationException($"this model file holds a stack of '{CellName}' (version 3), not a single cell; use Stack");

    /// <summary>The stack of a version 3 file (NumPy <c>model</c>, a <c>RecurrentStack</c>).</summary>
    /// <exception cref="InvalidOperationException">The file holds a single cell (version 1 or 2): use <see cref="Cell"/>.</exception>
    public RecurrentStack Stack => _stack
        ?? throw new InvalidOperationException($"this model file holds a single cell '{CellName}', not a stack; use Cell");

    /// <summary>Whether the file holds a stack (version 3), read through <see cref="Stack"/>.</summary>
    public bool IsStack => _stack is not null;

    /// <summary>The metadata's <c>cell</c>: <c>"rnn"</c>, <c>"lstm"</c> or <c>"gru"</c> (NumPy <c>cell</c>).</summary>
    public string CellName { get; }

    /// <summary>The network of an RNN file (the API before files held other cells).</summary>
    /// <exception cref="InvalidOperationException">The file holds another cell: use <see cref="Cell"/>.</exception>
    public RNN Model => _cell as RNN
        ?? throw new InvalidOperationException(IsStack
            ? $"this model file holds a stack of '{CellName}' (version 3), not an RNN; use Stack"
            : $"this model file holds the cell '{CellName}', not an RNN; use Cell");

    /// <summary>The vocabulary, V = I characters, or null when the file has none (NumPy <c>vocabulary</c>).</summary>
    public Vocabulary? Vocabulary { get; }

    /// <summary>The metadata's <c>hyperparameters</c> object (NumPy <c>hyperparameters</c>, a dict); empty when absent.</summary>
    public JsonObject Hyperparameters { get; }
}
