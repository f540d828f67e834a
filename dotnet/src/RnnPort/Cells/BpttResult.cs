using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// What one chunk of backpropagation through time gives. NumPy twin: <c>rnnport.cells.rnn_bptt.BpttResult</c>.
/// </summary>
/// <param name="Loss">The summed softmax cross-entropy of the chunk (NumPy <c>loss</c>).</param>
/// <param name="Gradients">The gradients of <paramref name="Loss"/>, in the row convention.</param>
/// <param name="FinalState">
/// 1×H, the state after the chunk's last step (NumPy <c>h_last</c>, (H,)): the state to carry into
/// the next chunk of truncated BPTT.
/// </param>
public sealed record BpttResult(double Loss, Gradients Gradients, Matrix<double> FinalState);
