using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The LSTM's live parameters, for its BPTT, the optimisers and gradient checks of this assembly.</summary>
public sealed partial class LSTM
{
    /// <summary>The live recurrent weights, H×4H: not a copy.</summary>
    internal Matrix<double> LiveRecurrentWeights => _recurrentWeights;

    /// <summary>The live output weights, H×O: not a copy.</summary>
    internal Matrix<double> LiveOutputWeights => _outputWeights;

    /// <summary>The live state, H values (BPTT's default start).</summary>
    internal ReadOnlySpan<double> LiveState => _state;

    /// <summary>The live cell state, H values.</summary>
    internal ReadOnlySpan<double> LiveCellState => _cellState;

    /// <summary>
    /// The trainable matrices by name, live, in the order InputWeights, RecurrentWeights, OutputWeights, then
    /// InputBias, RecurrentBias and OutputBias when on. NumPy twin: <c>LSTM.parameters()</c> (W_ih, W_hh, W_hy,
    /// b_ih, b_hh, b_y), whose arrays are the transposes of these. Whoever writes into them calls
    /// <see cref="OnParametersChanged"/>.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        LstmGradients.Named(_inputWeights, _recurrentWeights, _outputWeights, _inputBias, _recurrentBias, _outputBias);
}
