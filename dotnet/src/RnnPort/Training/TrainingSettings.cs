using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// The hyper-parameters of <see cref="CharTrainer.Train"/>. NumPy twin: <c>rnnport.training.char_model.TrainConfig</c>.
/// Every default is read from <c>option_rules.json</c> (the defaults of <c>train</c>'s options, and
/// <see cref="SampleLength"/> from <c>sample --length</c>'s), the file both command lines and the NumPy twin read,
/// so that no default is written twice.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>Training steps, one chunk each (NumPy <c>steps</c>); at least 1.</summary>
    public int Steps { get; init; } = TrainingDefaults.Int("steps");

    /// <summary>H (NumPy <c>hidden_size</c>); at least 1.</summary>
    public int HiddenSize { get; init; } = TrainingDefaults.Int("hidden");

    /// <summary>L, the characters per chunk (NumPy <c>seq_length</c>); at least 1.</summary>
    public int SeqLength { get; init; } = TrainingDefaults.Int("seq-length");

    /// <summary>The optimiser's learning rate (NumPy <c>learning_rate</c>); finite and &gt; 0.</summary>
    public double LearningRate { get; init; } = TrainingDefaults.Double("learning-rate");

    /// <summary><c>"adagrad"</c> or <c>"sgd"</c> (NumPy <c>optimizer</c>).</summary>
    public string Optimizer { get; init; } = TrainingDefaults.String("optimizer");

    /// <summary>Element-wise clipping threshold (NumPy <c>clip</c>); finite and &gt; 0.</summary>
    public double Clip { get; init; } = TrainingDefaults.Double("clip");

    /// <summary>When set, the gradients' global norm is clipped to it too (NumPy <c>clip_norm</c>).</summary>
    public double? ClipNorm { get; init; } = TrainingDefaults.OptionalDouble("clip-norm");

    /// <summary>Seed of the initial weights and of the samples (NumPy <c>seed</c>); at least 0.</summary>
    public int Seed { get; init; } = TrainingDefaults.Int("seed");

    /// <summary>Report the smoothed loss and a sample every this many steps; 0 never (NumPy <c>sample_every</c>).</summary>
    public int SampleEvery { get; init; } = TrainingDefaults.Int("sample-every");

    /// <summary>Characters per reported sample (NumPy <c>sample_length</c>); at least 1.</summary>
    public int SampleLength { get; init; } = (int)TrainingDefaults.Of("sample", "length")!;

    /// <summary><c>"rnn"</c>, <c>"lstm"</c> or <c>"gru"</c> (NumPy <c>cell</c>).</summary>
    public string Cell { get; init; } = TrainingDefaults.String("cell");

    /// <summary>
    /// What the model file records, under the NumPy side's names and with the same keys as
    /// <c>TrainResult.hyperparameters()</c>.
    /// </summary>
    /// <returns>A new JSON object.</returns>
    public JsonObject Hyperparameters() => new()
    {
        ["hidden_size"] = HiddenSize,
        ["seq_length"] = SeqLength,
        ["learning_rate"] = LearningRate,
        ["steps"] = Steps,
        ["clip"] = Clip,
        ["clip_norm"] = ClipNorm,
        ["optimizer"] = Optimizer,
        ["seed"] = Seed,
        ["sample_every"] = SampleEvery,
        ["sample_length"] = SampleLength,
        ["cell"] = Cell,
    };

    /// <summary>A number as Python's <c>str</c> writes it (<c>inf</c>, <c>nan</c>, <c>0.1</c>), so both languages' messages read alike.</summary>
    private static string PythonText(double value) => double.IsNaN(value) ? "nan"
        : double.IsInfinity(value) ? (value > 0 ? "inf" : "-inf")
        : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Throws naming the first setting out of its range (NumPy twin: <c>TrainConfig.__post_init__</c>, same messages).</summary>
    internal void Validate()
    {
        foreach ((string name, int value) in new[] { ("hidden_size", HiddenSize), ("seq_length", SeqLength), ("steps", Steps), ("sample_length", SampleLength) })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{name} must be ≥ 1, got {value}");
            }
        }

        if (SampleEvery < 0)
        {
            throw new ArgumentException($"sample_every must be ≥ 0 (0: never), got {SampleEvery}");
        }

        if (!CharCells.All.ContainsKey(Cell))
        {
            throw new ArgumentException($"cell must be one of 'rnn', 'lstm', 'gru', got '{Cell}'");
        }

        if (Optimizer is not ("adagrad" or "sgd"))
        {
            throw new ArgumentException($"optimizer must be 'adagrad' or 'sgd', got '{Optimizer}'");
        }

        foreach ((string name, double value) in new[] { ("learning_rate", LearningRate), ("clip", Clip), ("clip_norm", ClipNorm ?? 1.0) })
        {
            if (!(double.IsFinite(value) && value > 0))
            {
                throw new ArgumentException($"{name} must be finite and > 0, got {PythonText(value)}");
            }
        }
    }
}
