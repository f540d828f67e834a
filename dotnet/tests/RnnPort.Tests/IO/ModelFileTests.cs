using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class ModelFileTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "data", "numpy");
    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-modelfile-").FullName;
    private int _files;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string NewPath() => Path.Combine(_directory, $"model{_files++}.npz");

    private string Written(NpzBuilder builder, CompressionLevel level = CompressionLevel.NoCompression)
    {
        string path = NewPath();
        builder.Write(path, level);
        return path;
    }

    [Theory]
    [InlineData(Activation.Tanh, false)]
    [InlineData(Activation.Relu, true)]
    public void CanRoundTripCSharpModel(Activation activation, bool biases)
    {
        RNN model = Build.Network(4, 6, 4, seed: 11, activation, nonZeroInitialState: true, biases);
        Vocabulary vocabulary = Vocabulary.Of("ab\u00e9\U0001D11E");
        var hyperparameters = new JsonObject { ["hidden_size"] = 6, ["learning_rate"] = 0.1, ["note"] = "é", ["list"] = new JsonArray(1, 2.5) };
        string path = NewPath();

        ModelFile.Save(path, model, vocabulary, hyperparameters);
        ModelFileContents loaded = ModelFile.Load(path);

        Build.AssertUnchanged(Build.Snapshot(model), loaded.Model);
        Assert.Equal(activation, loaded.Model.Activation);
        Assert.Equal(vocabulary.Runes, loaded.Vocabulary!.Runes);
        Assert.Equal("""{"hidden_size":6,"learning_rate":0.1,"list":[1,2.5],"note":"é"}""", loaded.Hyperparameters.ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Matrix<double> inputs = Build.Random(9, 4, seed: 12);
        Build.AssertBitIdentical(model.Forward(inputs).Outputs, loaded.Model.Forward(inputs).Outputs);
    }

    [Fact]
    public void CanRoundTripWithoutVocabularyOrHyperparameters()
    {
        RNN model = Build.Network(3, 2, 5, seed: 13);
        string path = NewPath();

        ModelFile.Save(path, model);
        ModelFileContents loaded = ModelFile.Load(path);

        Assert.Null(loaded.Vocabulary);
        Assert.Empty(loaded.Hyperparameters);
        Assert.Null(loaded.Model.HiddenBias);
        Build.AssertUnchanged(Build.Snapshot(model), loaded.Model);
    }

    [Fact]
    public void CanSaveInitialStateNotCurrentState()
    {
        RNN model = Build.Network(3, 2, 3, seed: 14, nonZeroInitialState: true);
        Matrix<double> initial = model.InitialState;
        model.Forward(Build.Random(4, 3, seed: 15));
        string path = NewPath();

        ModelFile.Save(path, model);

        Build.AssertBitIdentical(initial, ModelFile.Load(path).Model.State);
    }

    [Theory]
    [InlineData("small-model.npz", "rnn")]
    [InlineData("small-model-v1.npz", "rnn")]  // format version 1 (no "cell"): still an RNN, the same arrays
    public void CanLoadNumPyWrittenFixture(string file, string cell)
    {
        ModelFileContents loaded = ModelFile.Load(Path.Combine(Fixtures, file));
        Dictionary<string, string[]> expected = Expected();
        Assert.Equal(cell, loaded.CellName);
        Assert.IsType<RNN>(loaded.Cell);

        RNN model = loaded.Model;
        AssertTwin(expected["W_xh"], model.InputWeights);
        AssertTwin(expected["W_hh"], model.RecurrentWeights);
        AssertTwin(expected["W_hy"], model.OutputWeights);
        AssertTwin(expected["h0"], model.InitialState);
        AssertTwin(expected["b_h"], model.HiddenBias!);
        AssertTwin(expected["b_y"], model.OutputBias!);
        Build.AssertBitIdentical(model.InitialState, model.State);
        Assert.Equal(Activation.Tanh, model.Activation);
        int[] codes = expected["vocabulary"][3..].Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(codes, loaded.Vocabulary!.Runes.Select(r => r.Value));
        Assert.Equal(" ab\u00e9\U0001D11E", loaded.Vocabulary.Chars);
        Assert.Equal(3, (int)loaded.Hyperparameters["hidden_size"]!);
        Assert.Equal(0.1, (double)loaded.Hyperparameters["learning_rate"]!);
        Assert.Equal("tiny fixture \u00fc\U0001D11E", (string)loaded.Hyperparameters["note"]!);
    }

    [Fact]
    public void CanWriteEntriesByteForByteAsNumPy()
    {
        // Re-saving the NumPy-written fixture from C# reproduces every .npy entry exactly, metadata
        // JSON included: same headers, padding, data, and json.dumps(sort_keys=True) text.
        string fixture = Path.Combine(Fixtures, "small-model.npz");
        ModelFileContents loaded = ModelFile.Load(fixture);
        string path = NewPath();

        ModelFile.Save(path, loaded.Model, loaded.Vocabulary, loaded.Hyperparameters);

        using ZipArchive numpy = ZipFile.OpenRead(fixture), csharp = ZipFile.OpenRead(path);
        Assert.Equal(numpy.Entries.Select(e => e.FullName), csharp.Entries.Select(e => e.FullName));
        foreach (ZipArchiveEntry entry in csharp.Entries)
        {
            Assert.True(Bytes(numpy.GetEntry(entry.FullName)!).SequenceEqual(Bytes(entry)), $"entry {entry.FullName} differs");
            Assert.Equal(entry.Length, entry.CompressedLength);  // stored, as np.savez stores
        }

        byte[] metadata = Bytes(csharp.GetEntry("metadata.npy")!);
        Assert.EndsWith(Expected()["metadata"][0], Encoding.UTF8.GetString(metadata), StringComparison.Ordinal);
    }

    [Fact]
    public void CanReadFortranOrderVersionTwoAndDeflatedEntries()
    {
        // W_xh (3, 2) = [[1, 2], [3, 4], [5, 6]] stored column by column: 1, 3, 5, 2, 4, 6.
        NpzBuilder builder = NpzBuilder.ValidModel()
            .Add("W_xh", NpzBuilder.Npy("<f8", [3, 2], NpzBuilder.Float64(1, 3, 5, 2, 4, 6), fortranOrder: true))
            .Add("W_hh", NpzBuilder.Npy("<f8", [3, 3], NpzBuilder.Float64(new double[9]), major: 2));

        ModelFileContents loaded = ModelFile.Load(Written(builder, CompressionLevel.Optimal));

        Build.AssertBitIdentical(Build.Rows([1.0, 3.0, 5.0], [2.0, 4.0, 6.0]), loaded.Model.InputWeights);  // W_xhᵀ
    }

    [Fact]
    public void RejectsMissingFile()
    {
        // Rule F1: a missing file is the model-file error too, as in NumPy.
        Assert.EndsWith("[F1]", Assert.Throws<ModelFileException>(() => ModelFile.Load(Path.Combine(_directory, "absent.npz"))).Message, StringComparison.Ordinal);
        Assert.EndsWith("[F1]", Assert.Throws<ModelFileException>(() => ModelFile.Load(Path.Combine(_directory, "absent", "model.npz"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsSavingVocabularyOfWrongSize()
    {
        string path = NewPath();

        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Build.Network(3, 2, 3, seed: 1), Vocabulary.Of("ab")));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void RejectsSavingNonFiniteHyperparameter()
    {
        string path = NewPath();

        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Build.Network(3, 2, 3, seed: 1), hyperparameters: new JsonObject { ["x"] = double.NaN }));
        Assert.False(File.Exists(path));
    }

    public static TheoryData<string, Func<JsonObject>> UnwritableHyperparameters => new()
    {
        { "NaN (Python: clip=nan)", () => new JsonObject { ["clip"] = double.NaN } },
        { "+Infinity (train --clip inf)", () => new JsonObject { ["clip"] = double.PositiveInfinity } },
        { "1e400 parsed from JSON text", () => JsonNode.Parse("""{"x": 1e400}""")!.AsObject() },
        { "a lone surrogate in a value", () => new JsonObject { ["note"] = "a\ud800b" } },
        { "a lone surrogate in a key", () => new JsonObject { ["\udc00"] = 1 } },
        { "nested 33 deep counting the metadata object", () => JsonNode.Parse("{\"a\": " + new string('[', 31) + new string(']', 31) + "}")!.AsObject() },
        { "metadata over 1 MiB", () => new JsonObject { ["note"] = new string('x', 1 << 20) } },
    };

    [Theory]
    [MemberData(nameof(UnwritableHyperparameters))]
    public void RejectsSavingHyperparametersTheReadersRefuse(string label, Func<JsonObject> hyperparameters)
    {
        // Rule W3: an ArgumentException (not a ModelFileException) before the target is touched.
        string path = NewPath();
        File.WriteAllText(path, "previous");

        Exception error = Assert.ThrowsAny<ArgumentException>(() => ModelFile.Save(path, Build.Network(3, 2, 3, seed: 1), hyperparameters: hyperparameters()));

        Assert.Equal("previous", File.ReadAllText(path));
        Assert.False(error.Message.Contains('\n', StringComparison.Ordinal), label);
    }

    [Fact]
    public void CanSaveTheDeepestAllowedHyperparameters()
    {
        // Negative control for the depth rule: 32 levels (metadata, hyperparameters, 30 lists) are written and read.
        string path = NewPath();
        JsonObject hyper = JsonNode.Parse("{\"a\": " + new string('[', 30) + new string(']', 30) + "}")!.AsObject();

        ModelFile.Save(path, Build.Network(3, 2, 3, seed: 1), hyperparameters: hyper);

        Assert.Equal(hyper.ToJsonString(), ModelFile.Load(path).Hyperparameters.ToJsonString());
    }

    [Fact]
    public void RejectsSavingVocabularyWhenOutputsDiffer()
    {
        // Rule W2 / V1: V = I = O; here V = I = 3 but O = 4.
        string path = NewPath();

        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, Build.Network(3, 2, 4, seed: 1), Vocabulary.Of("abc")));
        Assert.False(File.Exists(path));
    }

    private static byte[] Bytes(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>small-model.expected.txt: name → the rest of its line's fields ("metadata" → the JSON).</summary>
    private static Dictionary<string, string[]> Expected()
    {
        var expected = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(Path.Combine(Fixtures, "small-model.expected.txt")))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string name = line[..space];
            expected[name] = name == "metadata" ? [line[(space + 1)..]] : line[(space + 1)..].Split(' ');
        }

        return expected;
    }

    /// <summary>
    /// Checks a C# matrix against its NumPy twin's line "dtype ndim shape… bits…" (C order): for
    /// NumPy shape (r, c) the C# matrix is c×r with element (a, b) = twin[b, a] = value b·c + a.
    /// </summary>
    private static void AssertTwin(string[] fields, Matrix<double> actual)
    {
        Assert.Equal("<f8", fields[0]);
        int dimensions = int.Parse(fields[1], CultureInfo.InvariantCulture);
        long[] shape = fields[2..(2 + dimensions)].Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        double[] values = fields[(2 + dimensions)..]
            .Select(hex => BitConverter.Int64BitsToDouble(long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .ToArray();
        Matrix<double> expected = dimensions == 1
            ? Matrix<double>.Build.Dense(1, (int)shape[0], values)
            : Matrix<double>.Build.Dense((int)shape[1], (int)shape[0], (a, b) => values[(b * shape[1]) + a]);
        Build.AssertBitIdentical(expected, actual);
    }
}
