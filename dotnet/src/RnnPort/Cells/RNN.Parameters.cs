using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The parameters as one list, for the training code of this assembly, and the one way to change them
/// after construction.
/// </summary>
public sealed partial class RNN : ITrainable
{
    IReadOnlyList<(string Name, Matrix<double> Value)> ITrainable.Parameters() => Parameters();

    void ITrainable.ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates) => ApplyUpdate(updates);

    /// <summary>The live recurrent weights, H×H = <c>W_hhᵀ</c>, for BPTT to read: not a copy, never written here.</summary>
    internal Matrix<double> LiveRecurrentWeights => _recurrentWeights;

    /// <summary>The live output weights, H×O = <c>W_hyᵀ</c>, for BPTT to read: not a copy, never written here.</summary>
    internal Matrix<double> LiveOutputWeights => _outputWeights;

    /// <summary>
    /// The RNN's parameter list, names and order, for the model and its gradients alike: InputWeights,
    /// RecurrentWeights, OutputWeights, then HiddenBias and OutputBias when on. The order is the one every
    /// check, norm and update follows. NumPy twin: <c>RNN.parameters()</c> and <c>Gradients.parameters()</c>.
    /// </summary>
    internal static IReadOnlyList<(string Name, Matrix<double> Value)> ParameterList(
        Matrix<double> inputWeights,
        Matrix<double> recurrentWeights,
        Matrix<double> outputWeights,
        Matrix<double>? hiddenBias,
        Matrix<double>? outputBias) =>
        NamedParameters.Of(
            inputWeights, recurrentWeights, outputWeights,
            (ParameterNames.HiddenBias, hiddenBias), (ParameterNames.OutputBias, outputBias));

    /// <summary>
    /// The trainable matrices by name (<see cref="ParameterList"/>), live, for reading: every write goes
    /// through <see cref="ApplyUpdate"/>. NumPy twin: <c>RNN.parameters()</c>, whose arrays are the
    /// transposes of these.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        ParameterList(_inputWeights, _recurrentWeights, _outputWeights, _hiddenBias, _outputBias);

    /// <summary>
    /// Writes new values into the named parameters, then rewrites the packed weight copies that the default
    /// kernel reads. It is the one way a parameter changes after construction (the optimisers, the gradient
    /// check), so no caller can leave those copies stale. Every update is checked before any is written.
    /// NumPy twin: <c>RNN.apply_update(updates)</c>.
    /// </summary>
    /// <param name="updates">
    /// Per parameter to change, its name (<see cref="ParameterNames"/>) and its new values in column-major
    /// order (the NumPy twin's C order), one per element; parameters not named keep their values. The arrays
    /// are copied, not kept.
    /// </param>
    /// <exception cref="ArgumentException">A name is not a parameter of this model, or its values are too few or too many.</exception>
    internal void ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates)
    {
        NamedParameters.Write(Parameters(), updates);
        PackWeights();
    }

    /// <summary>Copies a 1×H state in without checks; for callers that restore a state they saved themselves.</summary>
    internal void RestoreState(Matrix<double> saved) => CopyRowInto(saved, ColumnMajor.Storage(_state));

    /// <inheritdoc/>
    Action IRecurrentCell.Snapshot()
    {
        Matrix<double> saved = State;
        return () => RestoreState(saved);
    }
}
