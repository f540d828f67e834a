using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using RnnPort;

namespace Consumer.Guide;

/// <summary>docs/csharp.md, "Exact or fast: Kernel.Simd": compiled and run as the guide shows it.</summary>
internal static class Kernels
{
    internal static void Run()
    {
        var normal = new Normal(0.0, 0.05, new Random(3));
        var rnn = new RNN(
            Matrix<double>.Build.Random(64, 256, normal),
            Matrix<double>.Build.Random(256, 256, normal),
            Matrix<double>.Build.Random(256, 64, normal));
        var xs = Matrix<double>.Build.Random(200, 64, normal);

        // The default, Kernel.Sequential: every dot product summed in index order, bit-identical to MathNet's
        // own operators and to NumPy's exact mode (RNN(..., kernel="exact")).
        var (exact, _) = rnn.Forward(xs);

        // Kernel.Simd: System.Numerics.Tensors' vectorised dot products; another summation order, so not
        // bit-identical, but within the stated bound (docs/exact-mode.md, "Kernel.Simd").
        rnn.Reset();
        rnn.Kernel = Kernel.Simd;
        var (fast, _) = rnn.Forward(xs);
        Console.WriteLine($"max |exact - simd| = {(exact - fast).Enumerate().Max(Math.Abs):G3}");
    }
}
