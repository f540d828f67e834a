using RnnPort;

namespace Consumer.Guide;

/// <summary>docs/csharp.md, "Load a model saved by Python, and sample": compiled and run as the guide shows it.</summary>
internal static class PythonModel
{
    internal static void Run()
    {
        // model.npz was written by Python: `python -m rnnport train corpus.txt --out model.npz`, or
        // rnnport.io.model_file.save(path, model, vocabulary). Its weights arrive transposed, bit for bit.
        ModelFileContents file = ModelFile.Load("model.npz");
        IRecurrentCell model = file.Cell;       // an RNN, LSTM or GRU (file.CellName says which), at its initial state
        Vocabulary vocabulary = file.Vocabulary ?? throw new InvalidOperationException("not a character model");
        Console.WriteLine($"{file.CellName}: I = {model.InputSize}, H = {model.HiddenSize}, {vocabulary.Count} characters, trained with {file.Hyperparameters.ToJsonString()}");

        // Sampling takes its random draws from the caller: uniforms in [0, 1), one per character. Given the
        // same uniforms, rnnport.training.sampling.sample picks the same characters in NumPy.
        var random = new Random(7);
        double[] uniforms = Enumerable.Range(0, 60).Select(_ => random.NextDouble()).ToArray();
        int start = vocabulary.Encode("t")[0];
        IReadOnlyList<int> picks = Sampler.Sample(model, start, uniforms, temperature: 0.8);
        Console.WriteLine("t" + vocabulary.Decode(picks));
    }
}
