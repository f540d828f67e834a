using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>The cell in the model file (docs/model-file.md, M table and D7): an LSTM comes back as an LSTM.</summary>
public sealed class ModelFileCellTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-modelfile-cell-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static LSTM Lstm(bool biases)
    {
        const int I = 4, H = 3, O = 4;
        Matrix<double>? Bias(int n, int seed) => biases ? Build.Random(1, n, seed) : null;
        return new LSTM(Build.Random(I, 4 * H, 1), Build.Random(H, 4 * H, 2), Build.Random(H, O, 3), Build.Random(1, H, 4), Build.Random(1, H, 5),
            Bias(4 * H, 6), Bias(4 * H, 7), Bias(O, 8));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnLstmRoundTripsAsAnLstm(bool biases)
    {
        LSTM model = Lstm(biases);
        string path = Path.Combine(_directory, "lstm.npz");

        ModelFile.Save(path, model, Vocabulary.Of("abcd"), new JsonObject { ["cell"] = "lstm" });
        ModelFileContents loaded = ModelFile.Load(path);

        Assert.Equal("lstm", loaded.CellName);
        LSTM back = Assert.IsType<LSTM>(loaded.Cell);
        Build.AssertBitIdentical(model.InputWeights, back.InputWeights);
        Build.AssertBitIdentical(model.RecurrentWeights, back.RecurrentWeights);
        Build.AssertBitIdentical(model.OutputWeights, back.OutputWeights);
        Build.AssertBitIdentical(model.InitialState, back.InitialState);
        Build.AssertBitIdentical(model.InitialCellState, back.InitialCellState);
        Assert.Equal(biases, back.InputBias is not null && back.RecurrentBias is not null && back.OutputBias is not null);
        Matrix<double> inputs = Build.Random(6, 4, 9);
        Build.AssertBitIdentical(model.Forward(inputs).Outputs, back.Forward(inputs).Outputs);
        using ZipArchive archive = ZipFile.OpenRead(path);
        string[] expected = biases
            ? ["W_ih.npy", "W_hh.npy", "W_hy.npy", "h0.npy", "c0.npy", "b_ih.npy", "b_hh.npy", "b_y.npy", "vocabulary.npy", "metadata.npy"]
            : ["W_ih.npy", "W_hh.npy", "W_hy.npy", "h0.npy", "c0.npy", "vocabulary.npy", "metadata.npy"];
        Assert.Equal(expected, archive.Entries.Select(e => e.FullName));
        using var reader = new StreamReader(archive.GetEntry("metadata.npy")!.Open(), Encoding.Latin1);
        Assert.EndsWith("""{"activation": "tanh", "cell": "lstm", "format": "rnnport-model", "hyperparameters": {"cell": "lstm"}, "version": 2}""", reader.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void AGruRoundTripsAsAGru()
    {
        const int I = 4, H = 3, O = 2;
        var model = new GRU(Build.Random(I, 3 * H, 1), Build.Random(H, 3 * H, 2), Build.Random(H, O, 3), Build.Random(1, H, 4),
            Build.Random(1, 3 * H, 5), null, Build.Random(1, O, 6));
        string path = Path.Combine(_directory, "gru.npz");

        ModelFile.Save(path, model);
        ModelFileContents loaded = ModelFile.Load(path);

        Assert.Equal("gru", loaded.CellName);
        GRU back = Assert.IsType<GRU>(loaded.Cell);
        Assert.Null(back.RecurrentBias);
        Build.AssertBitIdentical(model.InputBias!, back.InputBias!);
        Matrix<double> inputs = Build.Random(6, I, 9);
        Build.AssertBitIdentical(model.Forward(inputs).Outputs, back.Forward(inputs).Outputs);
    }

    [Fact]
    public void ModelOfAnLstmFileThrowsAndNamesTheCell()
    {
        string path = Path.Combine(_directory, "lstm.npz");
        ModelFile.Save(path, Lstm(false));

        ModelFileContents loaded = ModelFile.Load(path);

        var error = Assert.Throws<InvalidOperationException>(() => loaded.Model);
        Assert.Contains("lstm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelOfAnRnnFileIsTheRnn()
    {
        string path = Path.Combine(_directory, "rnn.npz");
        RNN model = Build.Network(3, 2, 3, seed: 1);
        ModelFile.Save(path, model);

        ModelFileContents loaded = ModelFile.Load(path);

        Assert.Equal("rnn", loaded.CellName);
        Assert.Same(loaded.Cell, loaded.Model);
    }

    [Fact]
    public void SaveRefusesACellTheFileCannotHold()
    {
        string path = Path.Combine(_directory, "other.npz");

        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, new NotACell()));
        Assert.False(File.Exists(path));
    }

    private sealed class NotACell : IRecurrentCell
    {
        public int InputSize => 1;

        public int HiddenSize => 1;

        public int OutputSize => 1;

        public Matrix<double> State { get; set; } = Matrix<double>.Build.Dense(1, 1);

        public Matrix<double> InitialState => State;

        public Matrix<double> TimeStep(Matrix<double> input) => input;

        public void Reset()
        {
        }

        Action IRecurrentCell.Snapshot() => () => { };
    }
}
