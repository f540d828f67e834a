using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The live parameter matrices, for the optimisers and the gradient check of this assembly.</summary>
public sealed partial class RNN : ITrainable
{
    IReadOnlyList<(string Name, Matrix<double> Value)> ITrainable.Parameters() => Parameters();

    void ITrainable.OnParametersChanged() => OnParametersChanged();

    /// <summary>The live input weights, I×H = <c>W_xhᵀ</c>: not a copy.</summary>
    internal Matrix<double> LiveInputWeights => _inputWeights;

    /// <summary>The live recurrent weights, H×H = <c>W_hhᵀ</c>: not a copy.</summary>
    internal Matrix<double> LiveRecurrentWeights => _recurrentWeights;

    /// <summary>The live output weights, H×O = <c>W_hyᵀ</c>: not a copy.</summary>
    internal Matrix<double> LiveOutputWeights => _outputWeights;

    /// <summary>The live hidden bias, 1×H, or null.</summary>
    internal Matrix<double>? LiveHiddenBias => _hiddenBias;

    /// <summary>The live output bias, 1×O, or null.</summary>
    internal Matrix<double>? LiveOutputBias => _outputBias;

    /// <summary>
    /// The trainable matrices by name, live (an update writes into the model), in the order
    /// InputWeights, RecurrentWeights, OutputWeights, then HiddenBias and OutputBias when on.
    /// NumPy twin: <c>RNN.parameters()</c>, whose arrays are the transposes of these.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters()
    {
        var parameters = new List<(string, Matrix<double>)>(5)
        {
            (ParameterNames.InputWeights, _inputWeights),
            (ParameterNames.RecurrentWeights, _recurrentWeights),
            (ParameterNames.OutputWeights, _outputWeights),
        };
        if (_hiddenBias is not null)
        {
            parameters.Add((ParameterNames.HiddenBias, _hiddenBias));
        }

        if (_outputBias is not null)
        {
            parameters.Add((ParameterNames.OutputBias, _outputBias));
        }

        return parameters;
    }

    /// <summary>Copies a 1×H state in without checks; for callers that restore a state they saved themselves.</summary>
    internal void RestoreState(Matrix<double> saved) => CopyRowInto(saved, DataOf(_state));
}
