using System.Numerics.Tensors;

namespace RnnPort.Tests;

/// <summary>
/// The vectorised tanh of <see cref="Kernel.Simd"/> (<c>TensorPrimitives.Tanh</c>) against the C library's
/// <c>tanh</c> (<c>Math.Tanh</c>, the exact mode's). It is accurate in absolute, not relative, terms: measured
/// within 3·u (u = 2⁻⁵³) at every argument scale from 1e-16 to 100, yet thousands of ULPs off for tiny
/// results. The fast kernel's bound (docs/exact-mode.md, "Kernel.Simd"; python/rnnport/verify/bounds.py,
/// <c>VECTOR_TANH_ABSOLUTE</c>) carries it as an absolute term of <see cref="AbsoluteBound"/>.
/// </summary>
public sealed class VectorTanhTests
{
    /// <summary>4·2⁻⁵³: the absolute difference allowed between the vectorised tanh and the C library's.</summary>
    internal const double AbsoluteBound = 4.0 * 1.1102230246251565e-16;

    [Fact]
    public void CanStayWithinFourUnitRoundoffsOfTheCLibrarysTanh()
    {
        var random = new Random(12);
        var values = new double[1 << 18];
        for (int n = 0; n < values.Length; n++)
        {
            // Every scale a pre-activation takes: tiny (tanh(a) ≈ a), around 1, and saturating.
            values[n] = (random.NextDouble() * 2.0 - 1.0) * Math.Pow(10.0, random.Next(-16, 3));
        }

        var vectorised = new double[values.Length];
        TensorPrimitives.Tanh(values, vectorised);

        double worst = Worst(values, vectorised);
        Assert.True(worst <= AbsoluteBound, $"worst |Δ| = {worst:E3} > {AbsoluteBound:E3}");
    }

    [Fact]
    public void CanSeeAResultMovedByFiveUnitRoundoffs()
    {
        // Negative control for the measurement: results off by 5·u must be reported beyond the bound.
        double[] values = [0.5, -0.25, 3.0, 1e-9];
        double[] moved = values.Select(v => Math.Tanh(v) + 5.0 * 1.1102230246251565e-16).ToArray();

        Assert.True(Worst(values, moved) > AbsoluteBound);
    }

    private static double Worst(double[] values, double[] vectorised)
    {
        double worst = 0.0;
        for (int n = 0; n < values.Length; n++)
        {
            worst = Math.Max(worst, Math.Abs(vectorised[n] - Math.Tanh(values[n])));
        }

        return worst;
    }
}
