using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>A stack in the model file (docs/model-file.md, section S, version 3): written, read back, refused.</summary>
public sealed class ModelFileStackTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-modelfile-stack-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A stack of <paramref name="cell"/>, I = 3, H = 2, with every optional part on or off.</summary>
    private static RecurrentStack Stack(string cell, int layers, bool bidirectional, bool biases, bool output)
    {
        int gates = cell switch { "rnn" => 1, "lstm" => 4, _ => 3 }, directions = bidirectional ? 2 : 1, seed = 1;
        var parameters = new Dictionary<string, Matrix<double>>(StringComparer.Ordinal);
        for (int k = 0; k < layers; k++)
        {
            foreach (string s in bidirectional ? new[] { "", "_reverse" } : [""])
            {
                string at = k.ToString(System.Globalization.CultureInfo.InvariantCulture) + s;
                parameters["weight_ih_l" + at] = Build.Random(k == 0 ? 3 : directions * 2, gates * 2, seed++);
                parameters["weight_hh_l" + at] = Build.Random(2, gates * 2, seed++);
                if (biases)
                {
                    parameters["bias_ih_l" + at] = Build.Random(1, gates * 2, seed++);
                    parameters["bias_hh_l" + at] = Build.Random(1, gates * 2, seed++);
                }
            }
        }

        return new RecurrentStack(
            cell, parameters, layers, bidirectional, Activation.Tanh,
            output ? Build.Random(directions * 2, 3, 90) : null, output ? Build.Random(1, 3, 91) : null,
            Build.Random(layers * directions, 2, 92), cell == "lstm" ? Build.Random(layers * directions, 2, 93) : null);
    }

    [Theory]
    [InlineData("rnn", 1, false, true, true)]
    [InlineData("lstm", 2, true, true, false)]
    [InlineData("gru", 3, true, false, true)]
    [InlineData("lstm", 3, false, false, false)]
    public void AStackRoundTripsBitForBit(string cell, int layers, bool bidirectional, bool biases, bool output)
    {
        RecurrentStack stack = Stack(cell, layers, bidirectional, biases, output);
        string path = Path.Combine(_directory, "stack.npz");

        ModelFile.Save(path, stack, output ? Vocabulary.Of("abc") : null, new JsonObject { ["source"] = "test" });
        ModelFileContents loaded = ModelFile.Load(path);

        Assert.True(loaded.IsStack);
        Assert.Equal(cell, loaded.CellName);
        RecurrentStack back = loaded.Stack;
        Assert.Equal((layers, bidirectional), (back.NumLayers, back.Bidirectional));
        Assert.Equal(stack.ParameterNames, back.ParameterNames);
        foreach (string name in stack.ParameterNames)
        {
            Build.AssertBitIdentical(stack.Parameter(name), back.Parameter(name));
        }

        Build.AssertBitIdentical(stack.InitialStates, back.InitialStates);
        Matrix<double> inputs = Build.Random(5, 3, 7);
        Build.AssertBitIdentical(stack.Forward(inputs).Outputs, back.Forward(inputs).Outputs);
        using ZipArchive archive = ZipFile.OpenRead(path);
        string[] states = cell == "lstm" ? ["h0.npy", "c0.npy"] : ["h0.npy"];
        Assert.Equal(stack.ParameterNames.Select(n => n + ".npy").Concat(states).Concat(["vocabulary.npy", "metadata.npy"]),
            archive.Entries.Select(e => e.FullName));
        using var reader = new StreamReader(archive.GetEntry("metadata.npy")!.Open(), Encoding.Latin1);
        Assert.EndsWith(
            $$"""{"activation": "tanh", "bidirectional": {{(bidirectional ? "true" : "false")}}, "cell": "{{cell}}", "format": "rnnport-model", "hyperparameters": {"source": "test"}, "num_layers": {{layers}}, "version": 3}""",
            reader.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheContentsSayWhichKindOfModelTheFileHolds()
    {
        string stackPath = Path.Combine(_directory, "stack.npz"), cellPath = Path.Combine(_directory, "cell.npz");
        ModelFile.Save(stackPath, Stack("gru", 2, true, true, false));
        ModelFile.Save(cellPath, Build.Network(3, 4, 3, seed: 1));

        ModelFileContents stack = ModelFile.Load(stackPath), cell = ModelFile.Load(cellPath);

        Assert.Contains("use Stack", Assert.Throws<InvalidOperationException>(() => stack.Cell).Message, StringComparison.Ordinal);
        Assert.Contains("use Stack", Assert.Throws<InvalidOperationException>(() => stack.Model).Message, StringComparison.Ordinal);
        Assert.Contains("use Cell", Assert.Throws<InvalidOperationException>(() => cell.Stack).Message, StringComparison.Ordinal);
        Assert.False(cell.IsStack);
        Assert.IsType<RNN>(cell.Cell);
    }

    [Fact]
    public void TheWriterRefusesAStackTheFileCannotHoldBeforeOpeningTheTarget()
    {
        string path = Path.Combine(_directory, "deep.npz");
        File.WriteAllText(path, "previous");
        RecurrentStack deep = Stack("rnn", 65, false, false, false);

        var refused = Assert.Throws<ArgumentException>(() => ModelFile.Save(path, deep));

        Assert.Contains("1 to 64 layers", refused.Message, StringComparison.Ordinal);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Stack("gru", 1, false, false, true), Vocabulary.Of("abcd")));
        Assert.Equal("previous", File.ReadAllText(path));
    }

    [Fact]
    public void TheWriterCheckCanFail()
    {
        // Negative control: 64 layers, the limit itself, are written and read back.
        string path = Path.Combine(_directory, "limit.npz");
        ModelFile.Save(path, Stack("rnn", 64, false, false, false));
        Assert.Equal(64, ModelFile.Load(path).Stack.NumLayers);
    }
}
