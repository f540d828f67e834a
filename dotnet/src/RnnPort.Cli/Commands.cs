using System.Globalization;

namespace RnnPort.Cli;

/// <summary>
/// The two commands, as <c>rnnport.cli.main</c>'s <c>_train</c> and <c>_sample</c>: every argument, the
/// input file and the output path are checked, in that order, before any work (docs/cli.md).
/// </summary>
internal static class Commands
{
    internal static int Train(Options options, OptionRules rules, TextWriter output, TextWriter? progress = null)
    {
        string textFile = options.Positional("TEXTFILE");
        var settings = new TrainingSettings
        {
            Steps = options.Value<int>(rules, "train", "steps"),
            HiddenSize = options.Value<int>(rules, "train", "hidden"),
            SeqLength = options.Value<int>(rules, "train", "seq-length"),
            LearningRate = options.Value<double>(rules, "train", "learning-rate"),
            Optimizer = options.Value<string>(rules, "train", "optimizer"),
            Clip = options.Value<double>(rules, "train", "clip"),
            ClipNorm = options.Optional<double>(rules, "train", "clip-norm"),
            Seed = options.Value<int>(rules, "train", "seed"),
            SampleEvery = options.Value<int>(rules, "train", "sample-every"),
            Cell = options.Value<string>(rules, "train", "cell"),
        };
        string outFile = options.String("out") ?? rules.OutputDefault("train", "out");
        bool quiet = options.Flag("quiet");
        options.CheckAllUsed();
        OutputFile(outFile, "--out");
        InputFile(textFile, "text file", maxBytes: rules.MaxElements);

        string text = CorpusText.Read(textFile);
        int vocabularySize = text.EnumerateRunes().Distinct().Count();
        int gates = CharCells.All[settings.Cell].Gates;
        rules.CheckProduct(gates == 1 ? "W_xh (H, V)" : $"W_ih ({gates}H, V)", (long)gates * settings.HiddenSize, vocabularySize);
        if (gates > 1)
        {
            // An RNN's W_hh (H, H) fits by --hidden's own limit; a gated cell's stacks `gates` blocks.
            rules.CheckProduct($"W_hh ({gates}H, H)", (long)gates * settings.HiddenSize, settings.HiddenSize);
        }
        rules.CheckProduct("a chunk's one-hot inputs (L, V)", settings.SeqLength, vocabularySize);
        using var bar = new ProgressLine(quiet ? null : progress, settings.Steps);
        TrainingResult result = CharTrainer.Train(text, settings, line => bar.WriteLine(output, line), bar.Update);
        bar.Dispose();
        ModelFile.Save(outFile, result.Model, result.Vocabulary, settings.Hyperparameters());
        double first = result.Losses.Take(100).Average(), last = result.Losses.TakeLast(100).Average();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"loss per chunk: first 100 steps {first:F3}, last 100 steps {last:F3}; saved {outFile}"));
        return 0;
    }

    internal static int Sample(Options options, OptionRules rules, TextWriter output)
    {
        string modelFile = options.Positional("MODEL");
        int length = options.Value<int>(rules, "sample", "length");
        double temperature = options.Value<double>(rules, "sample", "temperature");
        int seed = options.Value<int>(rules, "sample", "seed");
        string? start = options.Value<string?>(rules, "sample", "start");
        options.CheckAllUsed();
        InputFile(modelFile, "model file", maxBytes: null);

        ModelFileContents loaded = ModelFile.Load(modelFile);
        if (loaded.IsStack)
        {
            throw new ArgumentException($"{modelFile} holds a stack (model file version 3); sample runs a single cell: use forward");
        }

        Vocabulary vocabulary = loaded.Vocabulary
            ?? throw new ArgumentException($"{modelFile} has no vocabulary: it is not a character model");
        start ??= vocabulary.Runes[0].ToString();
        int seedIndex = vocabulary.Encode(start)[0];
        var random = new Random(seed);
        double[] uniforms = Enumerable.Range(0, length).Select(_ => random.NextDouble()).ToArray();
        output.WriteLine(start + vocabulary.Decode(Sampler.Sample(loaded.Cell, seedIndex, uniforms, temperature)));
        return 0;
    }

    /// <summary>Refuses an output that cannot be written, before any work (NumPy twin: <c>rnnport.cli.option_rules.output_file</c>).</summary>
    internal static void OutputFile(string path, string option)
    {
        if (path == "-")
        {
            throw new UsageException($"{option} writes a file; '-' (standard output) is accepted only by verify --json");
        }

        try
        {
            AtomicFile.CheckWritable(path);
        }
        catch (AtomicWriteException error)
        {
            throw new UsageException($"{option}: {error.Message}");
        }
    }

    /// <summary>
    /// Refuses an input that is missing, not a regular file (a directory, device or FIFO: reading one
    /// could hang or never end) or larger than <paramref name="maxBytes"/>, before it is opened.
    /// NumPy twin: <c>rnnport.cli.option_rules.input_file</c>.
    /// </summary>
    internal static void InputFile(string path, string what, long? maxBytes)
    {
        switch (UnixFiles.KindOf(path))
        {
            case UnixFiles.Kind.Missing:
                throw new UsageException($"{what} '{path}' does not exist");
            case UnixFiles.Kind.Directory:
                throw new UsageException($"{what} '{path}' is a directory");
            case UnixFiles.Kind.Other:
                throw new UsageException($"{what} '{path}' is not a regular file (a device, FIFO or socket)");
        }

        long size = new FileInfo(path).Length;
        if (size > maxBytes)
        {
            throw new UsageException($"{what} '{path}' has {size} bytes, more than the {maxBytes} accepted");
        }
    }
}
