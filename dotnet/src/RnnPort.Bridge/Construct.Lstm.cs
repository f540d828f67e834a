using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>The LSTM's factory (see <see cref="Construct"/>).</summary>
public static partial class Construct
{
    /// <summary>
    /// <see cref="LSTM(Matrix{double}, Matrix{double}, Matrix{double}, Matrix{double}?, Matrix{double}?, Matrix{double}?, Matrix{double}?, Matrix{double}?)"/>;
    /// NumPy twin <c>rnnport.cells.lstm.LSTM(...)</c>.
    /// </summary>
    /// <param name="inputWeights">I×4H.</param>
    /// <param name="recurrentWeights">H×4H.</param>
    /// <param name="outputWeights">H×O.</param>
    /// <param name="initialState">1×H or null.</param>
    /// <param name="initialCellState">1×H or null.</param>
    /// <param name="inputBias">1×4H or null.</param>
    /// <param name="recurrentBias">1×4H or null.</param>
    /// <param name="outputBias">1×O or null.</param>
    /// <returns>The model, or the exception that refused it.</returns>
    public static Outcome<LSTM> Lstm(
        Matrix<double> inputWeights, Matrix<double> recurrentWeights, Matrix<double> outputWeights,
        Matrix<double>? initialState, Matrix<double>? initialCellState,
        Matrix<double>? inputBias, Matrix<double>? recurrentBias, Matrix<double>? outputBias) =>
        Outcome<LSTM>.Of(() => new LSTM(
            inputWeights, recurrentWeights, outputWeights, initialState, initialCellState,
            inputBias, recurrentBias, outputBias));
}
