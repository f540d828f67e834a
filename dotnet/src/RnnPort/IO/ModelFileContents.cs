using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// What a model file holds: the model, its vocabulary when it is a character model, and the
/// hyperparameters it was trained with. NumPy twin: <c>rnnport.io.model_file.ModelFile</c>.
/// </summary>
public sealed class ModelFileContents
{
    /// <summary>Bundles the three parts.</summary>
    /// <param name="model">The network, its state at its initial state.</param>
    /// <param name="vocabulary">The characters of the inputs and outputs, or null (NumPy: V = 0).</param>
    /// <param name="hyperparameters">The training settings; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public ModelFileContents(RNN model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Vocabulary = vocabulary;
        Hyperparameters = hyperparameters ?? [];
    }

    /// <summary>The network (NumPy <c>model</c>).</summary>
    public RNN Model { get; }

    /// <summary>The vocabulary, V = I characters, or null when the file has none (NumPy <c>vocabulary</c>).</summary>
    public Vocabulary? Vocabulary { get; }

    /// <summary>The metadata's <c>hyperparameters</c> object (NumPy <c>hyperparameters</c>, a dict); empty when absent.</summary>
    public JsonObject Hyperparameters { get; }
}
