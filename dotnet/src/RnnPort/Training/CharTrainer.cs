using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Trains a character-level language model of any cell (RNN, LSTM, GRU) the way min-char-rnn does. NumPy twin:
/// <c>rnnport.training.char_model.train</c>, with the same hyper-parameters (<see cref="TrainingSettings"/>), the same
/// smoothed loss and the same data-pointer rule:
/// <list type="bullet">
/// <item>step k trains on the chunk of L characters at the data pointer p against the L characters after it; p
/// starts at 0 and advances by L; when fewer than L + 1 characters are left at p (and at step 0), p returns to 0
/// and the state to the model's initial state (h0, an LSTM's c0: zero for fresh weights);</item>
/// <item>truncated BPTT: the state (an LSTM's h and c) carries from chunk to chunk, the gradient does not;
/// gradients are clipped element-wise to ±<see cref="TrainingSettings.Clip"/> (and, with
/// <see cref="TrainingSettings.ClipNorm"/>, by global norm), then Adagrad or SGD updates the weights;</item>
/// <item>the smoothed loss starts at L·ln V (a uniform guess) and follows s ← 0.999·s + 0.001·loss.</item>
/// </list>
/// Without an initial model the weights start as N(0, 0.01²) from a seeded <see cref="Random"/> (Box–Muller) and the
/// biases at zero, so they differ from NumPy's <c>default_rng</c> weights; given the same initial model, both
/// trainers take the same steps (<c>parity_tests/test_trainer_parity.py</c>).
/// </summary>
public static class CharTrainer
{
    /// <summary>Trains on <paramref name="text"/>. NumPy twin: <c>train(text, config, report=..., model=...)</c>.</summary>
    /// <param name="text">The corpus (<see cref="CorpusText.Read"/> reads a file by the rule both languages share).</param>
    /// <param name="settings">The hyper-parameters.</param>
    /// <param name="report">Gets one multi-line string every <see cref="TrainingSettings.SampleEvery"/> steps: the
    /// step, the smoothed loss and a sample continuing the text, between <c>----</c> lines.</param>
    /// <param name="onStep">Called after every step with the steps done and the smoothed loss (for a progress display).</param>
    /// <param name="initialModel">The model to train in place instead of fresh weights: the settings' cell, with
    /// I = O = V (the text's vocabulary size) and H = <see cref="TrainingSettings.HiddenSize"/>.</param>
    /// <returns>The trained model, the vocabulary, and the loss and smoothed loss of every step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="settings"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of range, the text is shorter than L + 1 characters or
    /// holds an unpaired surrogate, or <paramref name="initialModel"/> does not fit.</exception>
    public static TrainingResult Train(string text, TrainingSettings settings, Action<string>? report = null,
        Action<int, double>? onStep = null, IRecurrentCell? initialModel = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        int length = settings.SeqLength, hidden = settings.HiddenSize;
        int characters = text.EnumerateRunes().Count();
        if (characters < length + 1)
        {
            throw new ArgumentException($"the text has {characters} characters; chunks of {length} need at least {length + 1}");
        }

        Vocabulary vocabulary = Vocabulary.Of(text);
        int[] data = vocabulary.Encode(text);
        int size = vocabulary.Count;

        var random = new Random(settings.Seed);
        CharCell cell = CharCells.All[settings.Cell];
        ITrainable model = initialModel is null ? cell.Make(size, hidden, Gaussian.Weights(random)) : Fitting(initialModel, cell, size, hidden);
        IOptimizer optimizer = settings.Optimizer == "sgd" ? new Sgd(settings.LearningRate) : new Adagrad(settings.LearningRate);

        int capacity = Math.Min(settings.Steps, 1 << 16);  // grows with the steps actually run
        var losses = new List<double>(capacity);
        var smoothLosses = new List<double>(capacity);
        double smoothLoss = -Math.Log(1.0 / size) * length;  // the loss of uniform guessing, per chunk
        CarriedState state = cell.Start(model);
        int p = 0;
        for (int step = 0; step < settings.Steps; step++)
        {
            if (step == 0 || p + length + 1 > data.Length)
            {
                state = cell.Start(model);  // back to the start of the text and the initial state
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
            p += length;
            smoothLoss = (smoothLoss * 0.999) + (result.Loss * 0.001);
            losses.Add(result.Loss);
            smoothLosses.Add(smoothLoss);
            onStep?.Invoke(step + 1, smoothLoss);

            if (report is not null && settings.SampleEvery > 0 && (step + 1) % settings.SampleEvery == 0)
            {
                // Continue the text from where the chunk ended: its last target is the next input.
                double[] uniforms = Enumerable.Range(0, settings.SampleLength).Select(_ => random.NextDouble()).ToArray();
                cell.Enter(model, state);
                string sample = vocabulary.Decode(Sampler.Sample((IRecurrentCell)model, targets[^1], uniforms));
                report(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}, smooth loss {smoothLoss:F4}\n----\n{sample}\n----"));
            }
        }

        cell.Enter(model, state);  // the model ends in the last chunk's state, as NumPy's does
        return new TrainingResult((IRecurrentCell)model, vocabulary, losses, smoothLosses, settings);
    }

    private static ITrainable Fitting(IRecurrentCell model, CharCell cell, int size, int hidden)
    {
        if (!cell.Type.IsInstanceOfType(model))
        {
            throw new ArgumentException($"the initial model is a {model.GetType().Name}, not the settings' cell '{cell.Name}'", nameof(model));
        }

        if (model.InputSize != size || model.OutputSize != size || model.HiddenSize != hidden)
        {
            throw new ArgumentException(
                $"the initial model has I={model.InputSize}, H={model.HiddenSize}, O={model.OutputSize}; the text needs I=O={size} and the settings H={hidden}",
                nameof(model));
        }

        return (ITrainable)model;
    }
}
