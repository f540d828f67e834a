namespace RnnPort;

/// <summary>
/// How <see cref="RNN"/> computes the products of its forward pass (<c>state·recurrentWeights</c>,
/// <c>input·inputWeights</c> and <c>state·outputWeights</c>, in <see cref="RNN.TimeStep"/>,
/// <see cref="RNN.Forward"/> and the forward pass of <see cref="Bptt.Run"/>).
/// </summary>
public enum Kernel
{
    /// <summary>
    /// The default: every dot product summed in index order from +0.0, as MathNet.Numerics' managed
    /// provider sums it, so results are bit-identical to the article's MathNet code and to the NumPy
    /// twin's exact mode (docs/exact-mode.md).
    /// </summary>
    Sequential,

    /// <summary>
    /// The article's code itself: <c>state.Multiply(recurrentWeights) + input.Multiply(inputWeights)</c>,
    /// <c>PointwiseTanh</c> and <c>state.Multiply(outputWeights)</c> with MathNet's operators, a new
    /// matrix for every operation of every step (MathNet's managed provider also copies the right-hand
    /// matrix per product). The same bits as <see cref="Sequential"/>: kept as the executable
    /// specification that the fast path is tested against, and as the "before" of the benchmarks.
    /// </summary>
    MathNet,

    /// <summary>
    /// Opt-in speed: each dot product by <c>System.Numerics.Tensors.TensorPrimitives.Dot</c>, which
    /// splits the sum over SIMD lanes (and may fuse multiply-adds), so it sums in another order and
    /// is not bit-identical to <see cref="Sequential"/>. Both orders are within the classical bound
    /// <c>|computed − exact| ≤ γₙ·Σₖ|aₖ||bₖ|</c>, <c>γₙ = nu/(1 − nu)</c>, <c>u = 2⁻⁵³</c>; so one step's
    /// pre-activation differs from <see cref="Sequential"/>'s by at most <c>2γₙ·(Σ|h||W_rec| + Σ|x||W_in| + |b|)</c>
    /// with <c>n = H + I + 1</c> (docs/exact-mode.md, "Kernel.Simd").
    /// </summary>
    Simd,
}
