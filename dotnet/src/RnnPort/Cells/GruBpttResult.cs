using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// What one chunk of <see cref="GruBptt.Run"/> gives. NumPy twin: <c>rnnport.cells.rnn_bptt.BpttResult</c> holding
/// <c>GruGradients</c>.
/// </summary>
/// <param name="Loss">The summed softmax cross-entropy of the chunk.</param>
/// <param name="Gradients">The gradients, in the row convention.</param>
/// <param name="FinalState">1×H, the state after the last step: what the next chunk starts from.</param>
public sealed record GruBpttResult(double Loss, GruGradients Gradients, Matrix<double> FinalState);
