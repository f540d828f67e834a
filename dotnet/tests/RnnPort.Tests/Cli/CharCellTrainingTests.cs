using RnnPort.Cli;

namespace RnnPort.Tests;

/// <summary>The demo's trainer over every cell (<see cref="CharCells"/>): loss falls, the cell is saved, sampling reads it back.</summary>
public sealed class CharCellTrainingTests : IDisposable
{
    private static readonly string Corpus = string.Join(' ', Enumerable.Range(0, 400)
        .Select(i => new[] { "the", "cat", "sat", "on", "a", "mat" }[new Random(i * 7919).Next(6)]));

    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-cli-cells-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("lstm", typeof(LSTM))]
    [InlineData("gru", typeof(GRU))]
    public void EachCellTrainsReducingLoss(string cell, Type type)
    {
        var settings = new TrainingSettings { Steps = 600, HiddenSize = 32, SeqLength = 16, SampleEvery = 0, Cell = cell };

        TrainingResult result = CharTrainer.Train(Corpus, settings, _ => { });

        Assert.IsType(type, result.Model);
        double initial = result.Losses.Take(20).Average(), final = result.Losses.TakeLast(50).Average();
        Assert.True(final < 0.7 * initial, $"{cell}: loss per chunk: first 20 steps {initial:F3}, last 50 steps {final:F3}");
    }

    [Fact]
    public void SamplingDuringTrainingDoesNotMoveTheLstmCellState()
    {
        // Sampling between chunks must leave (h, c) as it found them: with and without samples, the losses agree.
        var quiet = new TrainingSettings { Steps = 40, HiddenSize = 8, SeqLength = 10, Seed = 3, SampleEvery = 0, Cell = "lstm" };
        TrainingResult withoutSamples = CharTrainer.Train(Corpus, quiet, _ => { });
        TrainingResult withSamples = CharTrainer.Train(Corpus, quiet with { SampleEvery = 7 }, _ => { });

        Assert.Equal(withoutSamples.Losses, withSamples.Losses);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void TrainThenSampleFromTheCommandLine(string cell)
    {
        string text = Path.Combine(_directory, "corpus.txt"), model = Path.Combine(_directory, cell + ".npz");
        File.WriteAllText(text, Corpus);
        var output = new StringWriter();
        var error = new StringWriter();

        int trained = Program.Run(["train", text, "--cell", cell, "--steps", "50", "--hidden", "8", "--sample-every", "0", "--out", model], output, error);
        int sampled = Program.Run(["sample", model, "--length", "30", "--start", "t"], output, error);

        Assert.Equal((0, 0), (trained, sampled));
        Assert.Equal(cell, ModelFile.Load(model).CellName);
        string last = output.ToString().TrimEnd().Split('\n')[^1];
        Assert.Equal(31, last.Length);
        Assert.StartsWith("t", last, StringComparison.Ordinal);
    }
}
