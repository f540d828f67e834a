using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// One chunk of truncated BPTT, T = 100 one-hot inputs and targets, I = O = 64, H ∈ {64, 256, 1024}:
/// RnnPort's previous BPTT (MathNet-operator forward pass, <c>At</c> reads) against <see cref="Bptt.Run"/>.
/// </summary>
[MemoryDiagnoser]
public class BpttBenchmarks
{
    private const int Steps = 100;
    private RNN _model = null!;
    private ArticleRnn _article = null!;
    private Matrix<double> _inputs = null!;
    private int[] _targets = null!;

    /// <summary>H, the size of the state.</summary>
    [Params(64, 256, 1024)]
    public int Hidden { get; set; }

    /// <summary>Builds both models from the same seeded weights, and the chunk (targets = inputs shifted by one).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = Data.Model(Hidden);
        _article = Data.Article(Hidden);
        int[] text = Data.Indices(Steps + 1, Data.Vocabulary, seed: 5);
        _inputs = Data.OneHot(text[..Steps], Data.Vocabulary);
        _targets = text[1..];
    }

    /// <summary>Baseline: RnnPort's BPTT before the allocation-free path, from the zero state.</summary>
    /// <returns>The loss.</returns>
    [Benchmark(Baseline = true)]
    public double PreviousBpttRun()
    {
        _article.Reset();
        return PreviousBptt.Run(_article, _inputs, _targets).Loss;
    }

    /// <summary><see cref="Bptt.Run"/> from the model's state (zero; Bptt.Run does not change it).</summary>
    /// <returns>The loss.</returns>
    [Benchmark]
    public double BpttRun() => Bptt.Run(_model, _inputs, _targets).Loss;
}
