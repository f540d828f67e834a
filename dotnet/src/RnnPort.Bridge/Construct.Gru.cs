using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>The GRU's factory for the bridge (see <see cref="Construct"/>).</summary>
public static partial class Construct
{
    /// <summary><see cref="GRU"/>'s constructor; NumPy twin <c>rnnport.cells.gru.GRU(...)</c>.</summary>
    /// <param name="inputWeights">I×3H.</param>
    /// <param name="recurrentWeights">H×3H.</param>
    /// <param name="outputWeights">H×O.</param>
    /// <param name="initialState">1×H or null.</param>
    /// <param name="inputBias">1×3H or null.</param>
    /// <param name="recurrentBias">1×3H or null.</param>
    /// <param name="outputBias">1×O or null.</param>
    /// <returns>The model, or the exception that refused it.</returns>
    public static Outcome<GRU> Gru(
        Matrix<double> inputWeights, Matrix<double> recurrentWeights, Matrix<double> outputWeights,
        Matrix<double>? initialState, Matrix<double>? inputBias, Matrix<double>? recurrentBias,
        Matrix<double>? outputBias) =>
        Outcome<GRU>.Of(() => new GRU(
            inputWeights, recurrentWeights, outputWeights, initialState, inputBias, recurrentBias, outputBias));
}
