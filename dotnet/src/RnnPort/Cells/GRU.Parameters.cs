using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The GRU's live parameters, for the optimisers and BPTT of this assembly.</summary>
public sealed partial class GRU : ITrainable
{
    /// <inheritdoc/>
    Action IRecurrentCell.Snapshot()
    {
        double[] saved = (double[])_stateData.Clone();
        return () => saved.CopyTo(_stateData, 0);
    }

    /// <summary>
    /// The GRU's parameter list, names and order, for the model and its gradients alike: InputWeights,
    /// RecurrentWeights, OutputWeights, then InputBias, RecurrentBias and OutputBias when on. NumPy twin:
    /// <c>GRU.parameters()</c> (W_ih, W_hh, W_hy, b_ih, b_hh, b_y) and <c>GruGradients.parameters()</c>.
    /// </summary>
    internal static IReadOnlyList<(string Name, Matrix<double> Value)> ParameterList(
        Matrix<double> inputWeights,
        Matrix<double> recurrentWeights,
        Matrix<double> outputWeights,
        Matrix<double>? inputBias,
        Matrix<double>? recurrentBias,
        Matrix<double>? outputBias) =>
        NamedParameters.Of(
            inputWeights, recurrentWeights, outputWeights,
            (ParameterNames.InputBias, inputBias), (ParameterNames.RecurrentBias, recurrentBias), (ParameterNames.OutputBias, outputBias));

    /// <summary>The trainable matrices (<see cref="ParameterList"/>), live, for reading; writes go through <see cref="ApplyUpdate"/>.</summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        ParameterList(_inputWeights, _recurrentWeights, _outputWeights, _inputBias, _recurrentBias, _outputBias);

    IReadOnlyList<(string Name, Matrix<double> Value)> ITrainable.Parameters() => Parameters();

    /// <summary>
    /// Writes new values (column-major, the NumPy twin's C order) into the named parameters; every update is
    /// checked before any is written; then the packed weight copies are rewritten. As <c>RNN.ApplyUpdate</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a parameter of this model, or its values are too few or too many.</exception>
    internal void ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates)
    {
        NamedParameters.Write(Parameters(), updates);
        PackWeights();
    }

    void ITrainable.ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates) => ApplyUpdate(updates);

    /// <summary>The live output weights' storage, H×O column-major: (j, k) at j + k·H.</summary>
    internal double[] OutputData => _outputData;

    /// <summary>The live recurrent weights' storage, H×3H column-major: (i, k) at i + k·H.</summary>
    internal double[] RecurrentData => _recurrentData;

    /// <summary>The step's weights, live.</summary>
    internal LayerWeights Layer => _layer;

    /// <summary>Whether the input, recurrent and output biases are on.</summary>
    internal (bool Input, bool Recurrent, bool Output) HasBiases => (_inputBias is not null, _recurrentBias is not null, _outputBias is not null);
}
