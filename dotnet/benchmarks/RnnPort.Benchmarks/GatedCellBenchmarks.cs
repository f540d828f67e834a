using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// The gated cells, H = 256, I = O = 64, both biases on, one-hot inputs, float64: <see cref="LSTM.Forward"/>
/// and <see cref="GRU.Forward"/> (NumPy twins <c>LSTM.forward</c>, <c>GRU.forward</c>), and one chunk of
/// <see cref="LstmBptt.Run"/> and <see cref="GruBptt.Run"/>, each at T = 100 and T = 1000. The Allocated
/// column is per call; what one more timestep costs is (Allocated at 1000 − Allocated at 100) / 900, which
/// docs/benchmarks-dotnet.md sets against the T-sized arrays a call returns or keeps for the backward pass.
/// </summary>
[MemoryDiagnoser]
public class GatedCellBenchmarks
{
    private const int Hidden = 256;
    private Func<double> _forward = null!;
    private Func<double> _bptt = null!;

    /// <summary>The cell, by its class name.</summary>
    [Params("LSTM", "GRU")]
    public string Cell { get; set; } = "LSTM";

    /// <summary>T, the length of the sequence (and of the BPTT chunk).</summary>
    [Params(100, 1000)]
    public int Steps { get; set; }

    /// <summary>Builds the cell from seeded weights, the inputs and the targets (the inputs shifted by one).</summary>
    [GlobalSetup]
    public void Setup()
    {
        int[] text = Data.Indices(Steps + 1, Data.Vocabulary, seed: 6);
        Matrix<double> inputs = Data.OneHot(text[..Steps], Data.Vocabulary);
        int[] targets = text[1..];
        (_forward, _bptt) = Cell switch
        {
            "LSTM" => Lstm(inputs, targets),
            "GRU" => Gru(inputs, targets),
            _ => throw new ArgumentException($"unknown cell {Cell}"),
        };
    }

    /// <summary>Reset, then Forward over the T inputs.</summary>
    /// <returns>The last output's first element.</returns>
    [Benchmark]
    public double Forward() => _forward();

    /// <summary>One BPTT chunk of T steps from the model's initial state.</summary>
    /// <returns>The loss.</returns>
    [Benchmark]
    public double Bptt() => _bptt();

    private static Matrix<double> Bias(int size, int seed) => Data.Weights(1, size, seed);

    private static (Func<double>, Func<double>) Lstm(Matrix<double> inputs, int[] targets)
    {
        int gates = 4 * Hidden;
        var model = new LSTM(
            Data.Weights(Data.Vocabulary, gates, 1), Data.Weights(Hidden, gates, 2), Data.Weights(Hidden, Data.Vocabulary, 3),
            inputBias: Bias(gates, 4), recurrentBias: Bias(gates, 5), outputBias: Bias(Data.Vocabulary, 6));
        return (() =>
        {
            model.Reset();
            return model.Forward(inputs).Outputs[inputs.RowCount - 1, 0];
        }, () => LstmBptt.Run(model, inputs, targets).Loss);
    }

    private static (Func<double>, Func<double>) Gru(Matrix<double> inputs, int[] targets)
    {
        int gates = 3 * Hidden;
        var model = new GRU(
            Data.Weights(Data.Vocabulary, gates, 1), Data.Weights(Hidden, gates, 2), Data.Weights(Hidden, Data.Vocabulary, 3),
            inputBias: Bias(gates, 4), recurrentBias: Bias(gates, 5), outputBias: Bias(Data.Vocabulary, 6));
        return (() =>
        {
            model.Reset();
            return model.Forward(inputs).Outputs[inputs.RowCount - 1, 0];
        }, () => GruBptt.Run(model, inputs, targets).Loss);
    }
}
