using BenchmarkDotNet.Attributes;

namespace RnnPort.Benchmarks;

/// <summary>
/// One optimiser step over all parameters (I×H + H×H + H×O, I = O = 64) with the gradients of one
/// T = 100 BPTT chunk, H ∈ {64, 256, 1024}. Repeated steps move the weights a little each time, which
/// does not change the work done.
/// </summary>
[MemoryDiagnoser]
public class OptimiserBenchmarks
{
    private RNN _model = null!;
    private Gradients _gradients = null!;
    private Sgd _sgd = null!;
    private Adagrad _adagrad = null!;

    /// <summary>H, the size of the state.</summary>
    [Params(64, 256, 1024)]
    public int Hidden { get; set; }

    /// <summary>Builds the model, one chunk's gradients, and both optimisers (Adagrad's memory already created).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = Data.Model(Hidden);
        int[] text = Data.Indices(101, Data.Vocabulary, seed: 6);
        _gradients = Bptt.Run(_model, Data.OneHot(text[..100], Data.Vocabulary), text[1..]).Gradients;
        _sgd = new Sgd(1e-6);
        _adagrad = new Adagrad(1e-6);
        _adagrad.Step(_model, _gradients);
    }

    /// <summary>One SGD step, <c>p ← p − lr·g</c>.</summary>
    [Benchmark]
    public void SgdStep() => _sgd.Step(_model, _gradients);

    /// <summary>One Adagrad step, <c>m ← m + g²; p ← p − lr·g/√(m + ε)</c>.</summary>
    [Benchmark]
    public void AdagradStep() => _adagrad.Step(_model, _gradients);
}
