using System.Globalization;
using System.Text;

namespace RnnPort.Cli;

/// <summary>The two commands, as <c>rnnport.__main__</c>'s <c>_train</c> and <c>_sample</c>.</summary>
internal static class Commands
{
    internal static int Train(Options options, TextWriter output)
    {
        string textFile = options.Positional("TEXTFILE");
        var settings = new TrainingSettings(
            Steps: options.Int("steps", 2000, min: 1),
            HiddenSize: options.Int("hidden", 64, min: 1),
            SeqLength: options.Int("seq-length", 25, min: 1),
            LearningRate: options.PositiveDouble("learning-rate", 0.1),
            Clip: options.PositiveDouble("clip", 5.0),
            Seed: options.Int("seed", 0, min: int.MinValue),
            SampleEvery: options.Int("sample-every", 500, min: 0));
        string outFile = options.String("out") ?? "model.npz";
        options.CheckAllUsed();

        string text = File.ReadAllText(textFile, new UTF8Encoding(false, throwOnInvalidBytes: true));
        TrainingResult result = CharTrainer.Train(text, settings, line => output.WriteLine(line));
        ModelFile.Save(outFile, result.Model, result.Vocabulary, settings.Hyperparameters());
        double first = result.Losses.Take(100).Average(), last = result.Losses.TakeLast(100).Average();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"loss per chunk: first 100 steps {first:F3}, last 100 steps {last:F3}; saved {outFile}"));
        return 0;
    }

    internal static int Sample(Options options, TextWriter output)
    {
        string modelFile = options.Positional("MODEL");
        int length = options.Int("length", 200, min: 0);
        double temperature = options.PositiveDouble("temperature", 1.0);
        int seed = options.Int("seed", 0, min: int.MinValue);
        string? start = options.String("start");
        options.CheckAllUsed();

        ModelFileContents loaded = ModelFile.Load(modelFile);
        Vocabulary vocabulary = loaded.Vocabulary
            ?? throw new ArgumentException($"{modelFile} has no vocabulary: it is not a character model");
        start ??= vocabulary.Runes[0].ToString();
        if (start.EnumerateRunes().Count() != 1)
        {
            throw new UsageException($"--start takes one character, got '{start}'");
        }

        int seedIndex = vocabulary.Encode(start)[0];
        var random = new Random(seed);
        double[] uniforms = Enumerable.Range(0, length).Select(_ => random.NextDouble()).ToArray();
        output.WriteLine(start + vocabulary.Decode(Sampler.Sample(loaded.Model, seedIndex, uniforms, temperature)));
        return 0;
    }
}
