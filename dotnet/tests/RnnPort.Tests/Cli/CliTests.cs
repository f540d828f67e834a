using RnnPort.Cli;

namespace RnnPort.Tests;

/// <summary>The rnnport-cli commands and their training loop, run in-process.</summary>
public sealed class CliTests : IDisposable
{
    // A tiny corpus with structure to learn: a few words in a seeded random order.
    private static readonly string Corpus = string.Join(' ', Enumerable.Range(0, 400)
        .Select(i => new[] { "the", "cat", "sat", "on", "a", "mat" }[new Random(i * 7919).Next(6)]));

    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CanTrainReducingLossClearly()
    {
        var settings = new TrainingSettings { Steps = 600, HiddenSize = 32, SeqLength = 16, SampleEvery = 0 };

        TrainingResult result = CharTrainer.Train(Corpus, settings, _ => { });

        double initial = result.Losses.Take(20).Average(), final = result.Losses.TakeLast(50).Average();
        Assert.Equal(600, result.Losses.Count);
        Assert.True(final < 0.6 * initial, $"loss per chunk: first 20 steps {initial:F3}, last 50 steps {final:F3}");
        Assert.InRange(initial, 0.8 * 16 * Math.Log(result.Vocabulary.Count), 1.2 * 16 * Math.Log(result.Vocabulary.Count));
    }

    [Fact]
    public void CanTrainDeterministicallyFromSeed()
    {
        var settings = new TrainingSettings { Steps = 30, HiddenSize = 8, SeqLength = 10, Seed = 3, SampleEvery = 10, SampleLength = 20 };
        var reports = new List<string>();

        TrainingResult first = CharTrainer.Train(Corpus, settings, reports.Add);
        TrainingResult second = CharTrainer.Train(Corpus, settings, _ => { });

        Assert.Equal(first.Losses, second.Losses);
        Build.AssertUnchanged(Build.Snapshot((RNN)first.Model), (RNN)second.Model);
        Assert.Equal(3, reports.Count);  // the smoothed loss and a sample at steps 10, 20 and 30
        Assert.StartsWith("step 10, smooth loss ", reports[0], StringComparison.Ordinal);
        Assert.Equal(["step 20", "----", reports[1].Split('\n')[2], "----"], [reports[1].Split('\n')[0].Split(',')[0], .. reports[1].Split('\n')[1..]]);
        Assert.Equal(20, reports[1].Split('\n')[2].Length);
    }

    [Fact]
    public void CanTrainSaveAndSampleFromCommandLine()
    {
        string text = Path.Combine(_directory, "corpus.txt"), model = Path.Combine(_directory, "model.npz");
        File.WriteAllText(text, Corpus);
        var output = new StringWriter();
        var error = new StringWriter();

        int trained = Program.Run(["train", text, "--steps", "120", "--hidden", "16", "--seq-length", "12", "--sample-every", "60", "--out", model], output, error);
        int sampled = Program.Run(["sample", model, "--length", "30", "--start", "c", "--temperature=0.5"], output, error);

        Assert.Equal((0, 0, ""), (trained, sampled, error.ToString()));
        ModelFileContents loaded = ModelFile.Load(model);
        Assert.Equal(16, (int)loaded.Hyperparameters["hidden_size"]!);
        Assert.Equal(0.1, (double)loaded.Hyperparameters["learning_rate"]!);
        Assert.NotNull(loaded.Model.HiddenBias);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, line => line.StartsWith("step 120, smooth loss", StringComparison.Ordinal));
        Assert.StartsWith("c", lines[^1], StringComparison.Ordinal);
        Assert.Equal(31, lines[^1].TrimEnd('\r').Length);
    }

    [Theory]
    [InlineData("frob")]
    [InlineData("train")]
    [InlineData("train", "{dir}/absent.txt")]
    [InlineData("train", "{dir}/corpus.txt", "--steps", "zero")]
    [InlineData("train", "{dir}/corpus.txt", "--learning-rate", "NaN")]
    [InlineData("train", "{dir}/corpus.txt", "--seq-length", "100000")]
    [InlineData("train", "{dir}/corpus.txt", "--colour", "blue")]
    [InlineData("train", "{dir}/corpus.txt", "--steps")]
    [InlineData("sample", "{dir}/absent.npz")]
    [InlineData("sample", "{dir}/corpus.txt")]
    [InlineData("sample", "{dir}/plain.npz")]
    [InlineData("sample", "{dir}/chars.npz", "--start", "xy")]
    [InlineData("sample", "{dir}/chars.npz", "--start", "Z")]
    [InlineData("sample", "{dir}/chars.npz", "--temperature", "0")]
    [InlineData("sample", "{dir}/chars.npz", "--temperature", "5e-324")]  // NonFiniteResultException: y / T overflows
    public void RejectsBadArgumentsWithOneLineAndStatusTwo(params string[] args)
    {
        File.WriteAllText(Path.Combine(_directory, "corpus.txt"), Corpus);
        ModelFile.Save(Path.Combine(_directory, "plain.npz"), Build.Network(3, 2, 3, seed: 1));
        ModelFile.Save(Path.Combine(_directory, "chars.npz"), Build.Network(3, 2, 3, seed: 1), Vocabulary.Of("abc"));
        var output = new StringWriter();
        var error = new StringWriter();

        int status = Program.Run(args.Select(a => a.Replace("{dir}", _directory, StringComparison.Ordinal)).ToArray(), output, error);

        Assert.Equal(2, status);
        string message = error.ToString();
        Assert.StartsWith($"rnnport-cli {args[0]}: ", message, StringComparison.Ordinal);
        Assert.Single(message.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }
}
