using RnnPort;

namespace Consumer.Guide;

/// <summary>docs/csharp.md, "Or let the library train": compiled and run as the guide shows it.</summary>
internal static class Trainer
{
    internal static void Run()
    {
        // CharTrainer is min-char-rnn's loop above, packaged: the twin of Python's rnnport.train, with the
        // same settings and defaults (those of `python -m rnnport train` and `rnnport-cli train`).
        string text = CorpusText.Read("corpus.txt");  // UTF-8; a BOM is dropped, invalid bytes are refused
        var settings = new TrainingSettings { Cell = "gru", HiddenSize = 32, Steps = 300, SampleEvery = 100, SampleLength = 40 };
        TrainingResult result = CharTrainer.Train(text, settings, report: Console.WriteLine);
        Console.WriteLine($"{result.Losses.Count} steps, smoothed loss {result.SmoothLoss:F2}, last loss {result.Losses[^1]:F2}");
        ModelFile.Save("trained.npz", result.Model, result.Vocabulary, settings.Hyperparameters());
    }
}
