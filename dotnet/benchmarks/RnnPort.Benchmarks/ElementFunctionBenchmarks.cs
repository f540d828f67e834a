using BenchmarkDotNet.Attributes;

namespace RnnPort.Benchmarks;

/// <summary>
/// What the element-wise functions exact mode must keep cost per element (issue 12: they bound how much
/// batching or blocking the products can buy): <see cref="Math.Tanh"/> and σ through <see cref="Math.Exp"/>
/// (the C library's, for bit identity with NumPy's exact mode) against the vectorised
/// <c>TensorPrimitives.Tanh</c> of the opt-in fast kernel, over 4096 arguments in (−2, 2).
/// </summary>
/// <remarks><c>dotnet run -c Release --project dotnet/benchmarks/RnnPort.Benchmarks -- --filter '*ElementFunctionBenchmarks*' --job short</c></remarks>
public class ElementFunctionBenchmarks
{
    private const int Count = 4096;
    private readonly double[] _arguments = new double[Count];
    private readonly double[] _results = new double[Count];

    /// <summary>Seeded arguments in (−2, 2), where tanh is neither linear nor saturated.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Count; i++)
        {
            _arguments[i] = (random.NextDouble() * 4.0) - 2.0;
        }
    }

    /// <summary>Math.Tanh, one element at a time (the exact kernels').</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public double[] MathTanh()
    {
        for (int i = 0; i < Count; i++)
        {
            _results[i] = Math.Tanh(_arguments[i]);
        }

        return _results;
    }

    /// <summary>σ(z) = 1 / (1 + Math.Exp(−z)), one element at a time (the exact LSTM's and GRU's).</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public double[] SigmoidThroughMathExp()
    {
        for (int i = 0; i < Count; i++)
        {
            _results[i] = 1.0 / (1.0 + Math.Exp(-_arguments[i]));
        }

        return _results;
    }

    /// <summary>TensorPrimitives.Tanh over the whole span (the opt-in fast kernel's).</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public double[] VectorisedTanh()
    {
        System.Numerics.Tensors.TensorPrimitives.Tanh(_arguments, _results);
        return _results;
    }
}
