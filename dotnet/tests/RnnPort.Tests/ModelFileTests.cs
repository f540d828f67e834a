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

    [Fact]
    public void CanLoadNumPyWrittenFixture()
    {
        ModelFileContents loaded = ModelFile.Load(Path.Combine(Fixtures, "small-model.npz"));
        Dictionary<string, string[]> expected = Expected();

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
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_directory, "absent.npz")));
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_directory, "absent", "model.npz")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1000)]
    public void RejectsTruncatedFixture(int cut)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(Fixtures, "small-model.npz"));
        string path = NewPath();
        File.WriteAllBytes(path, bytes[..^cut]);

        Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
    }

    [Fact]
    public void RejectsFlippedWeightByteByCrc()
    {
        // The first entry, W_xh.npy, starts at byte 0: its data follow the 30-byte local header, the
        // name, the extra field and the 128-byte .npy preamble. A flipped bit there still parses.
        byte[] bytes = File.ReadAllBytes(Path.Combine(Fixtures, "small-model.npz"));
        int data = 30 + BitConverter.ToUInt16(bytes, 26) + BitConverter.ToUInt16(bytes, 28) + 128;
        bytes[data + 3] ^= 0x40;
        string path = NewPath();
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));

        Assert.Contains("entry 'W_xh' fails its CRC-32 check", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsTextFile()
    {
        string path = NewPath();
        File.WriteAllText(path, "not a zip");

        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));

        Assert.Contains("as an .npz archive", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Broken files and the words their error must contain.</summary>
    public static TheoryData<string, Func<NpzBuilder>, string> BrokenFiles => new()
    {
        { "missing W_hy", () => NpzBuilder.ValidModel().Remove("W_hy"), "missing entry 'W_hy'" },
        { "missing metadata", () => NpzBuilder.ValidModel().Remove("metadata"), "missing entry 'metadata'" },
        { "W_xh rows ≠ H", () => NpzBuilder.ValidModel().Weights("W_xh", 4, 2), "W_xh has shape (4, 2), expected (3, I)" },
        { "W_hh not square", () => NpzBuilder.ValidModel().Weights("W_hh", 3, 2), "W_hh has shape (3, 2), expected (H, H)" },
        { "W_hy columns ≠ H", () => NpzBuilder.ValidModel().Weights("W_hy", 4, 2), "W_hy has shape (4, 2), expected (O, 3)" },
        { "h0 too long", () => NpzBuilder.ValidModel().Weights("h0", 4), "h0 has shape (4,), expected (3,)" },
        { "b_y wrong length", () => NpzBuilder.ValidModel().Weights("b_y", 3), "b_y has shape (3,), expected (4,)" },
        { "h0 two-dimensional", () => NpzBuilder.ValidModel().Weights("h0", 1, 3), "dtype <f8 and 2 dimensions, expected <f8 with 1" },
        { "float32 weights", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy("<f4", [3, 3], new byte[36])), "dtype <f4" },
        { "big-endian weights", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy(">f8", [3, 3], new byte[72])), "dtype >f8" },
        { "object array", () => NpzBuilder.ValidModel().Add("W_xh", NpzBuilder.Npy("|O", [3, 2], Encoding.ASCII.GetBytes("cos\nsystem\n(S'touch /tmp/pwned'\ntR."))), "object array" },
        { "structured dtype", () => NpzBuilder.ValidModel().Add("W_xh", NpzBuilder.Npy("", [], [], header: "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 2), }")), "malformed .npy header" },
        { "(n) is not a shape", () => NpzBuilder.ValidModel().Add("h0", NpzBuilder.Npy("", [], NpzBuilder.Float64(0, 0, 0), header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3), }")), "malformed .npy header" },
        { "extra header key", () => NpzBuilder.ValidModel().Add("h0", NpzBuilder.Npy("", [], NpzBuilder.Float64(0, 0, 0), header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}")), "malformed .npy header" },
        { "no magic", () => NpzBuilder.ValidModel().Add("h0", Encoding.ASCII.GetBytes("just some bytes, not an array")), "no \\x93NUMPY magic" },
        { "huge declared shape", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy("<f8", [1L << 40, 1L << 40], new byte[72])), "elements accepted" },
        { "huge header length", () => NpzBuilder.ValidModel().Add("W_hh", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F]), "header, more than" },
        { "data cut short", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy("<f8", [3, 3], new byte[71])), "truncated or corrupt" },
        { "data too long", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy("<f8", [3, 3], new byte[80])), "truncated or corrupt" },
        { "NaN weight", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy("<f8", [3, 3], NpzBuilder.Float64(0, 0, 0, 0, double.NaN, 0, 0, 0, 0))), "must be finite" },
        { "vocabulary size ≠ I", () => NpzBuilder.ValidModel().Vocabulary('a', 'b', 'c'), "vocabulary has 3 characters, the model takes 2 inputs" },
        { "surrogate code point", () => NpzBuilder.ValidModel().Vocabulary('a', 0xD800), "invalid code point" },
        { "repeated character", () => NpzBuilder.ValidModel().Vocabulary('a', 'a'), "distinct characters" },
        { "vocabulary as float", () => NpzBuilder.ValidModel().Add("vocabulary", NpzBuilder.Npy("<f8", [2], NpzBuilder.Float64(97, 98))), "expected <i4" },
        { "metadata not JSON", () => NpzBuilder.ValidModel().Metadata("{'format': 'rnnport-model'}"), "metadata is not UTF-8 JSON" },
        { "metadata not UTF-8", () => NpzBuilder.ValidModel().Add("metadata", NpzBuilder.Npy("|u1", [2], [0xC3, 0x28])), "metadata is not UTF-8 JSON" },
        { "metadata a list", () => NpzBuilder.ValidModel().Metadata("[1, 2]"), "does not describe an rnnport-model version 1 file" },
        { "wrong format", () => NpzBuilder.ValidModel().Metadata("""{"format": "other", "version": 1}"""), "does not describe" },
        { "wrong version", () => NpzBuilder.ValidModel().Metadata("""{"format": "rnnport-model", "version": 2}"""), "does not describe" },
        { "version as string", () => NpzBuilder.ValidModel().Metadata("""{"format": "rnnport-model", "version": "1"}"""), "does not describe" },
        { "unknown activation", () => NpzBuilder.ValidModel().Metadata("""{"activation": "sigmoid", "format": "rnnport-model", "version": 1}"""), "unknown activation" },
        { "duplicate JSON key", () => NpzBuilder.ValidModel().Metadata("""{"format": "rnnport-model", "version": 1, "version": 1}"""), "metadata is not UTF-8 JSON" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void RejectsBrokenFile(string label, Func<NpzBuilder> builder, string words)
    {
        string path = Written(builder());

        var error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));

        Assert.True(error.Message.Contains(words, StringComparison.Ordinal), $"{label}: {error.Message}");
    }

    [Fact]
    public void CanLoadValidHandMadeFile()
    {
        // The builder's valid model really is valid: the rejections above are each about one change.
        ModelFileContents loaded = ModelFile.Load(Written(NpzBuilder.ValidModel()));

        Assert.Equal((2, 3, 4), (loaded.Model.InputSize, loaded.Model.HiddenSize, loaded.Model.OutputSize));
        Assert.Equal(3.0, loaded.Model.InputWeights[1, 2]);  // W_xh = 0.5, 1, …, 3 in C order; (1, 2)ᵀ is W_xh[2, 1], the sixth value
    }

    [Fact]
    public void RejectsEntryClaimingImpossibleSize()
    {
        // Patch the central directory so that W_hh claims 2 GiB uncompressed from its few stored bytes.
        string path = Written(NpzBuilder.ValidModel());
        byte[] bytes = File.ReadAllBytes(path);
        byte[] name = Encoding.ASCII.GetBytes("W_hh.npy");
        for (int i = 0; i + 46 < bytes.Length; i++)
        {
            bool header = bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 0x01 && bytes[i + 3] == 0x02;
            if (header && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(i + 24, 4), 0x7FFF_FFFF);
            }
        }

        File.WriteAllBytes(path, bytes);

        Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
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
