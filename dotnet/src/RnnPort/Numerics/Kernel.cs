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
    /// Opt-in speed: the same packed kernels with one fused multiply-add per term (<see cref="Fused"/>) and,
    /// for tanh, the vectorised <c>System.Numerics.Tensors.TensorPrimitives.Tanh</c>. Not bit-identical to
    /// <see cref="Sequential"/>; per element within <c>2γₙ·(Σ|h||W_rec| + Σ|x||W_in| + |b|)</c>, <c>n = H + I + 1</c>,
    /// <c>γₙ = nu/(1 − nu)</c>, <c>u = 2⁻⁵³</c>, plus for tanh 4 ULP and the vectorised tanh's 4u absolute
    /// (docs/exact-mode.md, "Kernel.Simd"). NumPy twin: <c>DotNetRNN(..., kernel="fast")</c> selects it.
    /// </summary>
    Simd,
}
