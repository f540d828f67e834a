using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// The RNN's kernels (issue 12): the exact kernel on two cores (the default) and on one, the fast kernel
/// (<see cref="Kernel.Simd"/>), and the BPTT that runs the exact forward pass, at T = 100 and 1000 so that
/// (Allocated(1000) − Allocated(100)) / 900, less the T-sized result arrays, is what one timestep allocates:
/// the memory diagnoser counts every thread, the helper's included.
/// </summary>
/// <remarks><c>dotnet run -c Release --project dotnet/benchmarks/RnnPort.Benchmarks -- --filter '*KernelBenchmarks*' --job short</c></remarks>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private RNN _exact = null!, _fast = null!;
    private Matrix<double> _inputs = null!;
    private int[] _targets = null!;

    /// <summary>H (I = O = 64).</summary>
    [Params(64, 256, 1024)]
    public int Hidden { get; set; }

    /// <summary>T.</summary>
    [Params(100, 1000)]
    public int Steps { get; set; }

    /// <summary>The models (same weights) and a one-hot sequence with targets.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _exact = Data.Model(Hidden);
        _fast = Data.Model(Hidden);
        _fast.Kernel = Kernel.Simd;
        _inputs = Data.OneHot(Data.Indices(Steps, Data.Vocabulary, seed: 4), Data.Vocabulary);
        _targets = Data.Indices(Steps, Data.Vocabulary, seed: 5);
    }

    /// <summary>The default: bit-identical, split across two cores from H·H ≥ 2¹⁶.</summary>
    [Benchmark(Baseline = true)]
    public Matrix<double> ForwardExact()
    {
        PackedProduct.UseSecondCore = true;
        _exact.Reset();
        return _exact.Forward(_inputs).States;
    }

    /// <summary>The same bits on one core: what the second core brings.</summary>
    [Benchmark]
    public Matrix<double> ForwardExactOneCore()
    {
        PackedProduct.UseSecondCore = false;
        _exact.Reset();
        Matrix<double> states = _exact.Forward(_inputs).States;
        PackedProduct.UseSecondCore = true;
        return states;
    }

    /// <summary>The opt-in fast kernel: fused multiply-adds and the vectorised tanh.</summary>
    [Benchmark]
    public Matrix<double> ForwardFast()
    {
        _fast.Reset();
        return _fast.Forward(_inputs).States;
    }

    /// <summary>BPTT, whose forward pass is the exact kernel's.</summary>
    [Benchmark]
    public double Bptt() => RnnPort.Bptt.Run(_exact, _inputs, _targets).Loss;
}
