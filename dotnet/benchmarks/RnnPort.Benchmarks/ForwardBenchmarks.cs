using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// T = 1000 timesteps of a tanh RNN with I = O = 64 (one-hot inputs) and H ∈ {64, 256, 1024}, float64:
/// the article's MathNet-operator <c>TimeStep</c> loop and RnnPort's previous <c>Forward</c> (the
/// baselines) against RnnPort's <c>TimeStep</c> loop and <c>Forward</c>, and <c>Forward</c> with the opt-in
/// <see cref="Kernel.Simd"/>, and <c>Forward</c> without its non-finite check (the internal switch,
/// off only here, to price the check). The Allocated column is per operation, i.e. per 1000 timesteps.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private const int Steps = 1000;
    private RNN _model = null!;
    private RNN _simdModel = null!;
    private RNN _uncheckedModel = null!;
    private ArticleRnn _article = null!;
    private Matrix<double> _inputs = null!;
    private Matrix<double>[] _rows = null!;

    /// <summary>H, the size of the state.</summary>
    [Params(64, 256, 1024)]
    public int Hidden { get; set; }

    /// <summary>Builds both models from the same seeded weights, and the one-hot inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = Data.Model(Hidden);
        _simdModel = Data.Model(Hidden);
        _simdModel.Kernel = Kernel.Simd;
        _uncheckedModel = Data.Model(Hidden);
        _uncheckedModel.CheckResults = false;
        _article = Data.Article(Hidden);
        _inputs = Data.OneHot(Data.Indices(Steps, Data.Vocabulary, seed: 4), Data.Vocabulary);
        _rows = Data.Rows(_inputs);
    }

    /// <summary>Baseline: the article's TimeStep (MathNet operators) on each of the T rows.</summary>
    /// <returns>The last output.</returns>
    [Benchmark(Baseline = true)]
    public Matrix<double> ArticleTimeStepLoop()
    {
        _article.Reset();
        Matrix<double> output = null!;
        foreach (Matrix<double> row in _rows)
        {
            output = _article.TimeStep(row);
        }

        return output;
    }

    /// <summary>RnnPort's TimeStep on each of the T rows (returns a new 1×O output each step).</summary>
    /// <returns>The last output.</returns>
    [Benchmark]
    public Matrix<double> TimeStepLoop()
    {
        _model.Reset();
        Matrix<double> output = null!;
        foreach (Matrix<double> row in _rows)
        {
            output = _model.TimeStep(row);
        }

        return output;
    }

    /// <summary>Baseline for Forward: RnnPort's previous Forward, with MathNet operators per step.</summary>
    /// <returns>The T×H states.</returns>
    [Benchmark]
    public Matrix<double> PreviousForward()
    {
        _article.Reset();
        return _article.Forward(_inputs).States;
    }

    /// <summary>RnnPort's Forward over the T×I inputs.</summary>
    /// <returns>The T×H states.</returns>
    [Benchmark]
    public Matrix<double> Forward()
    {
        _model.Reset();
        return _model.Forward(_inputs).States;
    }

    /// <summary>RnnPort's Forward with the opt-in <see cref="Kernel.Simd"/> (not bit-identical; within its bound).</summary>
    /// <returns>The T×H states.</returns>
    [Benchmark]
    public Matrix<double> ForwardSimd()
    {
        _simdModel.Reset();
        return _simdModel.Forward(_inputs).States;
    }

    /// <summary>Forward without refusing non-finite results: what the check costs is Forward / this.</summary>
    /// <returns>The T×H states.</returns>
    [Benchmark]
    public Matrix<double> ForwardWithoutTheNonFiniteCheck()
    {
        _uncheckedModel.Reset();
        return _uncheckedModel.Forward(_inputs).States;
    }
}
