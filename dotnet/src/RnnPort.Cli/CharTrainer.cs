using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Cli;

/// <summary>
/// The settings of <see cref="CharTrainer.Train"/>; the defaults are min-char-rnn's, except H = 64.
/// <see cref="Optimizer"/> is "adagrad" or "sgd"; <see cref="ClipNorm"/>, when set, also clips the global
/// gradient norm; <see cref="SampleEvery"/> = 0 never samples.
/// </summary>
internal sealed record TrainingSettings(
    int Steps = 2000,
    int HiddenSize = 64,
    int SeqLength = 25,
    double LearningRate = 0.1,
    string Optimizer = "adagrad",
    double Clip = 5.0,
    double? ClipNorm = null,
    int Seed = 0,
    int SampleEvery = 500,
    int SampleLength = 200,
    string Cell = "rnn")
{
    /// <summary>What the model file records, under the NumPy side's names.</summary>
    internal JsonObject Hyperparameters() => new()
    {
        ["hidden_size"] = HiddenSize,
        ["seq_length"] = SeqLength,
        ["learning_rate"] = LearningRate,
        ["steps"] = Steps,
        ["clip"] = Clip,
        ["clip_norm"] = ClipNorm,
        ["optimizer"] = Optimizer,
        ["seed"] = Seed,
        ["cell"] = Cell,
    };
}

/// <summary>A trained character model and the loss of every chunk.</summary>
internal sealed record TrainingResult(IRecurrentCell Model, Vocabulary Vocabulary, IReadOnlyList<double> Losses, double SmoothLoss);

/// <summary>
/// Trains a character-level language model of any cell (<see cref="CharCells"/>: RNN, LSTM, GRU) the way
/// Karpathy's min-char-rnn does: chunks of L
/// characters, truncated BPTT carrying the state (an LSTM's h and c) from chunk to chunk, gradients clipped element-wise
/// (and, with <see cref="TrainingSettings.ClipNorm"/>, by global norm), Adagrad or SGD.
/// Both biases are on (zeros); the weights start as N(0, 1)·0.01 from a seeded
/// <see cref="System.Random"/> (Box–Muller), so they differ from the NumPy side's initial weights.
/// </summary>
internal static class CharTrainer
{
    internal static TrainingResult Train(string text, TrainingSettings settings, Action<string> report)
    {
        Vocabulary vocabulary = Vocabulary.Of(text);
        int[] data = vocabulary.Encode(text);
        int size = vocabulary.Count, hidden = settings.HiddenSize, length = settings.SeqLength;
        if (data.Length < length + 1)
        {
            throw new ArgumentException(
                $"the text has {data.Length} characters; --seq-length {length} needs at least {length + 1}");
        }

        var random = new Random(settings.Seed);
        var normal = new Gaussian(random);
        Matrix<double> Init(int rows, int columns) => Matrix<double>.Build.Dense(rows, columns, (_, _) => normal.Next() * 0.01);
        CharCell cell = CharCells.All[settings.Cell];
        ITrainable model = cell.Make(size, hidden, Init);  // weights in the row convention: W_xhᵀ (I×H) etc.
        IOptimizer optimizer = settings.Optimizer == "sgd" ? new Sgd(settings.LearningRate) : new Adagrad(settings.LearningRate);

        var losses = new List<double>(Math.Min(settings.Steps, 1 << 16));  // grows with the steps actually run
        double smoothLoss = -Math.Log(1.0 / size) * length;  // the loss of uniform guessing, per chunk
        CarriedState state = cell.Zero(hidden);
        int p = 0;
        for (int step = 0; step < settings.Steps; step++)
        {
            if (step == 0 || p + length + 1 > data.Length)
            {
                state = cell.Zero(hidden);  // back to the start of the text, and a fresh state
                p = 0;
            }

            Matrix<double> inputs = Vocabulary.OneHot(new ArraySegment<int>(data, p, length), size);
            var targets = new ArraySegment<int>(data, p + 1, length);
            ChunkResult result = cell.Run(model, inputs, targets, state);
            Bptt.ClipElementwise(result.Gradients, settings.Clip);
            if (settings.ClipNorm is { } norm)
            {
                Bptt.ClipGlobalNorm(result.Gradients, norm);
            }
            optimizer.Step(model, result.Gradients);
            state = result.Next;
            smoothLoss = (smoothLoss * 0.999) + (result.Loss * 0.001);
            losses.Add(result.Loss);
            p += length;

            if (settings.SampleEvery > 0 && (step + 1) % settings.SampleEvery == 0)
            {
                // Continue the text from where the chunk ended: its last target is the next input.
                double[] uniforms = Enumerable.Range(0, settings.SampleLength).Select(_ => random.NextDouble()).ToArray();
                cell.Enter(model, state);
                IReadOnlyList<int> sample = Sampler.Sample((IRecurrentCell)model, targets[^1], uniforms);
                report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step {step + 1}, smooth loss {smoothLoss:F4}"));
                report("----\n" + vocabulary.Decode(sample) + "\n----");
            }
        }

        return new TrainingResult((IRecurrentCell)model, vocabulary, losses, smoothLoss);
    }

    /// <summary>Standard normal draws by the Box–Muller transform, two per pair of uniforms.</summary>
    private sealed class Gaussian(Random random)
    {
        private double? _spare;

        internal double Next()
        {
            if (_spare is { } spare)
            {
                _spare = null;
                return spare;
            }

            double u1 = 1.0 - random.NextDouble();  // (0, 1]: the logarithm stays finite
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            _spare = radius * Math.Sin(2.0 * Math.PI * u2);
            return radius * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
