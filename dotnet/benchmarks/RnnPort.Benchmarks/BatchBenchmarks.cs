using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// Batched sequences, B = 32, H = 256, I = O = 64, one-hot inputs, float64: one <c>ForwardBatch</c> against 32
/// separate <c>Forward</c> calls (each after <c>Reset</c>) of the same cell, for the RNN, the LSTM and the GRU
/// (NumPy twins <c>forward_batch</c> and <c>forward</c>). The Allocated column is per call: ForwardBatch allocates
/// its results, packed copies of the weights and each worker's scratch once per call, nothing per timestep, so
/// (Allocated at 1000 − Allocated at 100) / 900 is the B·(O + H (+ H)) doubles of one step's results.
/// </summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    private const int Hidden = 256, Batch = 32;
    private Func<double> _batch = null!;
    private Func<double> _separate = null!;

    /// <summary>The cell, by its class name.</summary>
    [Params("RNN", "LSTM", "GRU")]
    public string Cell { get; set; } = "RNN";

    /// <summary>T, the length of every sequence.</summary>
    [Params(100, 1000)]
    public int Steps { get; set; }

    /// <summary>Builds the cell from seeded weights and B one-hot sequences, both as one B×T×I array and as B matrices.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var inputs = new double[Batch, Steps, Data.Vocabulary];
        var sequences = new Matrix<double>[Batch];
        for (int b = 0; b < Batch; b++)
        {
            int[] text = Data.Indices(Steps, Data.Vocabulary, seed: 10 + b);
            sequences[b] = Data.OneHot(text, Data.Vocabulary);
            for (int t = 0; t < Steps; t++)
            {
                inputs[b, t, text[t]] = 1.0;
            }
        }

        int gates = Cell switch { "RNN" => 1, "LSTM" => 4, "GRU" => 3, _ => throw new ArgumentException($"unknown cell {Cell}") } * Hidden;
        Matrix<double> w = Data.Weights(Data.Vocabulary, gates, 1), u = Data.Weights(Hidden, gates, 2), v = Data.Weights(Hidden, Data.Vocabulary, 3);
        (Func<double[,,], BatchResult> batch, Func<Matrix<double>, Matrix<double>> forward, Action reset) = Cell switch
        {
            "RNN" => Of(new RNN(w, u, v)),
            "LSTM" => Of(new LSTM(w, u, v)),
            _ => Of(new GRU(w, u, v)),
        };
        _batch = () => batch(inputs).Outputs[Batch - 1, Steps - 1, 0];
        _separate = () =>
        {
            double last = 0.0;
            foreach (Matrix<double> sequence in sequences)
            {
                reset();
                last = forward(sequence)[Steps - 1, 0];
            }

            return last;
        };
    }

    /// <summary>One ForwardBatch over the B sequences.</summary>
    /// <returns>The last sequence's last output's first element.</returns>
    [Benchmark]
    public double ForwardBatch() => _batch();

    /// <summary>B separate Forward calls, each after Reset.</summary>
    /// <returns>The last sequence's last output's first element.</returns>
    [Benchmark(Baseline = true)]
    public double SeparateForwards() => _separate();

    private static (Func<double[,,], BatchResult>, Func<Matrix<double>, Matrix<double>>, Action) Of(RNN m) =>
        (m.ForwardBatch, x => m.Forward(x).Outputs, m.Reset);

    private static (Func<double[,,], BatchResult>, Func<Matrix<double>, Matrix<double>>, Action) Of(LSTM m) =>
        (m.ForwardBatch, x => m.Forward(x).Outputs, m.Reset);

    private static (Func<double[,,], BatchResult>, Func<Matrix<double>, Matrix<double>>, Action) Of(GRU m) =>
        (m.ForwardBatch, x => m.Forward(x).Outputs, m.Reset);
}
