using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The LSTM's live parameters, for its BPTT, the optimisers and gradient checks of this assembly.</summary>
public sealed partial class LSTM : ITrainable
{
    IReadOnlyList<(string Name, Matrix<double> Value)> ITrainable.Parameters() => Parameters();

    void ITrainable.ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates) => ApplyUpdate(updates);

    /// <summary>The live recurrent weights, H×4H: not a copy.</summary>
    internal Matrix<double> LiveRecurrentWeights => _recurrentWeights;

    /// <summary>The step's weights, live.</summary>
    internal LayerWeights Layer => _layer;

    /// <summary>The live output weights, H×O: not a copy.</summary>
    internal Matrix<double> LiveOutputWeights => _outputWeights;

    /// <summary>The live state, H values (BPTT's default start).</summary>
    internal ReadOnlySpan<double> LiveState => _state;

    /// <summary>The live cell state, H values.</summary>
    internal ReadOnlySpan<double> LiveCellState => _cellState;

    /// <inheritdoc/>
    Action IRecurrentCell.Snapshot()
    {
        double[] state = (double[])_state.Clone(), cellState = (double[])_cellState.Clone();
        return () =>
        {
            state.CopyTo(_state, 0);
            cellState.CopyTo(_cellState, 0);
        };
    }

    /// <summary>
    /// The trainable matrices by name, live, in the order InputWeights, RecurrentWeights, OutputWeights, then
    /// InputBias, RecurrentBias and OutputBias when on. NumPy twin: <c>LSTM.parameters()</c> (W_ih, W_hh, W_hy,
    /// b_ih, b_hh, b_y), whose arrays are the transposes of these. For reading: every write goes through
    /// <see cref="ApplyUpdate"/>.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        LstmGradients.Named(_inputWeights, _recurrentWeights, _outputWeights, _inputBias, _recurrentBias, _outputBias);

    /// <summary>
    /// Writes new values into the named parameters, then repacks the weight copies the kernels read: the one way a
    /// parameter changes after construction, as <see cref="RNN"/>'s <c>ApplyUpdate</c>. Every update is checked first.
    /// </summary>
    /// <param name="updates">Per parameter, its name and its new values in column-major order (copied).</param>
    /// <exception cref="ArgumentException">A name is not a parameter of this model, or its values are too few or too many.</exception>
    internal void ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates)
    {
        NamedParameters.Write(Parameters(), updates);
        PackWeights();
    }
}
