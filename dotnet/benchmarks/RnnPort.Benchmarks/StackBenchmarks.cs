using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// A stacked bidirectional LSTM as torch holds one (<c>nn.LSTM(64, 128, num_layers=2, bidirectional=True)</c>, both
/// biases, no output layer), float64: <see cref="RecurrentStack.Forward"/> (NumPy twin <c>RecurrentStack.forward</c>)
/// at T = 100 and T = 1000. The Allocated column is per call; (Allocated at 1000 − Allocated at 100) / 900 is what one
/// more timestep costs: the T-sized buffers of a call (the input copy, the two layers' outputs, the result), nothing else.
/// </summary>
[MemoryDiagnoser]
public class StackBenchmarks
{
    private const int Hidden = 128, Layers = 2;
    private RecurrentStack _stack = null!;
    private Matrix<double> _inputs = null!;

    /// <summary>T, the length of the sequence.</summary>
    [Params(100, 1000)]
    public int Steps { get; set; }

    /// <summary>Builds the stack from seeded weights and one-hot inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parameters = new Dictionary<string, Matrix<double>>();
        int seed = 1;
        for (int k = 0; k < Layers; k++)
        {
            foreach (string s in new[] { $"_l{k}", $"_l{k}_reverse" })
            {
                parameters["weight_ih" + s] = Data.Weights(k == 0 ? Data.Vocabulary : 2 * Hidden, 4 * Hidden, seed++);
                parameters["weight_hh" + s] = Data.Weights(Hidden, 4 * Hidden, seed++);
                parameters["bias_ih" + s] = Data.Weights(1, 4 * Hidden, seed++);
                parameters["bias_hh" + s] = Data.Weights(1, 4 * Hidden, seed++);
            }
        }

        _stack = new RecurrentStack("lstm", parameters, Layers, bidirectional: true);
        _inputs = Data.OneHot(Data.Indices(Steps, Data.Vocabulary, seed: 6), Data.Vocabulary);
    }

    /// <summary>Reset, then Forward over the T inputs.</summary>
    /// <returns>The last output's first element.</returns>
    [Benchmark]
    public double Forward()
    {
        _stack.Reset();
        return _stack.Forward(_inputs).Outputs[_inputs.RowCount - 1, 0];
    }
}
