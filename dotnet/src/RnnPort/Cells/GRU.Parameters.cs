using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The GRU's live parameters, for the optimisers and BPTT of this assembly.</summary>
public sealed partial class GRU : ITrainable
{
    /// <summary>
    /// The trainable matrices by name, live, in the order InputWeights, RecurrentWeights, OutputWeights,
    /// then InputBias, RecurrentBias and OutputBias when on. NumPy twin: <c>GRU.parameters()</c>
    /// (W_ih, W_hh, W_hy, b_ih, b_hh, b_y), whose arrays are the transposes of these.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters()
    {
        var parameters = new List<(string, Matrix<double>)>(6)
        {
            (ParameterNames.InputWeights, _inputWeights),
            (ParameterNames.RecurrentWeights, _recurrentWeights),
            (ParameterNames.OutputWeights, _outputWeights),
        };
        foreach ((string name, Matrix<double>? bias) in new[]
        {
            (ParameterNames.InputBias, _inputBias), (ParameterNames.RecurrentBias, _recurrentBias), (ParameterNames.OutputBias, _outputBias),
        })
        {
            if (bias is not null)
            {
                parameters.Add((name, bias));
            }
        }

        return parameters;
    }

    IReadOnlyList<(string Name, Matrix<double> Value)> ITrainable.Parameters() => Parameters();

    // The GRU computes on the live storage arrays directly: it keeps no derived copies to refresh.
    void ITrainable.OnParametersChanged()
    {
    }

    /// <summary>The live output weights' storage, H×O column-major: (j, k) at j + k·H.</summary>
    internal double[] OutputData => _outputData;

    /// <summary>The live recurrent weights' storage, H×3H column-major: (i, k) at i + k·H.</summary>
    internal double[] RecurrentData => _recurrentData;

    /// <summary>Whether the input, recurrent and output biases are on.</summary>
    internal (bool Input, bool Recurrent, bool Output) HasBiases => (_inputBias is not null, _recurrentBias is not null, _outputBias is not null);
}
