using System.Text.Json.Nodes;

namespace RnnPort.Tests;

/// <summary>The library trainer's contract beyond training itself: defaults from the one rules file, refusals.</summary>
public sealed class CharTrainerTests
{
    private static readonly string Corpus = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 30));

    [Fact]
    public void DefaultsAreTheCommandLinesDefaults()
    {
        // Read here through the command line's own reader of option_rules.json, not the library's.
        var rules = Cli.OptionRules.Load();
        object? Default(string command, string name) => rules.Parse(command, name, null);
        var settings = new TrainingSettings();

        Assert.Equal(
            [Default("train", "steps"), Default("train", "hidden"), Default("train", "seq-length"), Default("train", "learning-rate"),
             Default("train", "optimizer"), Default("train", "clip"), Default("train", "clip-norm"), Default("train", "seed"),
             Default("train", "sample-every"), Default("sample", "length"), Default("train", "cell")],
            [settings.Steps, settings.HiddenSize, settings.SeqLength, settings.LearningRate, settings.Optimizer, settings.Clip,
             settings.ClipNorm, settings.Seed, settings.SampleEvery, settings.SampleLength, settings.Cell]);
        Assert.NotEqual(Default("train", "steps"), (settings with { Steps = 7 }).Steps);  // negative control
    }

    [Fact]
    public void HyperparametersHaveTheNumPyKeys()
    {
        JsonObject recorded = new TrainingSettings().Hyperparameters();

        Assert.Equal(
            ["cell", "clip", "clip_norm", "hidden_size", "learning_rate", "optimizer", "sample_every", "sample_length", "seed", "seq_length", "steps"],
            recorded.Select(pair => pair.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("steps", "steps must be ≥ 1, got 0")]
    [InlineData("sample-every", "sample_every must be ≥ 0 (0: never), got -1")]
    [InlineData("cell", "cell must be one of 'rnn', 'lstm', 'gru', got 'lstn'")]
    [InlineData("clip", "clip must be finite and > 0, got inf")]
    public void BadSettingsAreRefusedNamingThem(string which, string message)
    {
        var settings = which switch
        {
            "steps" => new TrainingSettings { Steps = 0 },
            "sample-every" => new TrainingSettings { SampleEvery = -1 },
            "cell" => new TrainingSettings { Cell = "lstn" },
            _ => new TrainingSettings { Clip = double.PositiveInfinity },
        };

        Assert.Equal(message, Assert.Throws<ArgumentException>(() => CharTrainer.Train(Corpus, settings)).Message);
    }

    [Fact]
    public void AnInitialModelThatDoesNotFitIsRefused()
    {
        int v = Vocabulary.Of(Corpus).Count;
        var settings = new TrainingSettings { Steps = 2, HiddenSize = 4, SampleEvery = 0 };

        var wrongSize = Assert.Throws<ArgumentException>(() => CharTrainer.Train(Corpus, settings, initialModel: Build.Network(v, 5, v, seed: 1)));
        var wrongCell = Assert.Throws<ArgumentException>(() => CharTrainer.Train(Corpus, settings with { Cell = "gru" }, initialModel: Build.Network(v, 4, v, seed: 1)));
        TrainingResult fits = CharTrainer.Train(Corpus, settings, initialModel: Build.Network(v, 4, v, seed: 1));

        Assert.StartsWith($"the initial model has I={v}, H=5, O={v}", wrongSize.Message, StringComparison.Ordinal);
        Assert.StartsWith("the initial model is a RNN, not the settings' cell 'gru'", wrongCell.Message, StringComparison.Ordinal);
        Assert.Equal(2, fits.Losses.Count);
    }

    [Fact]
    public void TheTextMustHoldOneChunkAndItsTarget()
    {
        var error = Assert.Throws<ArgumentException>(() => CharTrainer.Train("abc", new TrainingSettings { SeqLength = 3 }));

        Assert.Equal("the text has 3 characters; chunks of 3 need at least 4", error.Message);
    }
}
