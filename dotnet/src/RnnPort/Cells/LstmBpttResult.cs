using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// One chunk of LSTM BPTT: the summed loss, the gradients, and the state and cell state after the last step
/// (to carry into the next chunk). NumPy twin: <c>rnnport.cells.lstm_bptt.LstmBpttResult</c>.
/// </summary>
/// <param name="Loss">The summed softmax cross-entropy.</param>
/// <param name="Gradients">The gradients.</param>
/// <param name="FinalState">1×H (NumPy <c>h_last</c>).</param>
/// <param name="FinalCellState">1×H (NumPy <c>c_last</c>).</param>
public sealed record LstmBpttResult(double Loss, LstmGradients Gradients, Matrix<double> FinalState, Matrix<double> FinalCellState);
