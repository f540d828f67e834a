using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// What every recurrent cell offers, in the row convention: <see cref="RNN"/>, <see cref="LSTM"/> and
/// <see cref="GRU"/>. The model file stores and returns any of them (<see cref="ModelFile"/>, <see cref="ModelFileContents.Cell"/>),
/// and the character demo trains and samples through it. NumPy twin: the common API of <c>rnnport.RNN</c>,
/// <c>rnnport.cells.LSTM</c> and <c>GRU</c> (<c>input_size</c>, <c>h</c>, <c>step</c>, <c>reset</c>).
/// </summary>
public interface IRecurrentCell
{
    /// <summary>I, the input width (NumPy <c>input_size</c>).</summary>
    int InputSize { get; }

    /// <summary>H, the state width (NumPy <c>hidden_size</c>).</summary>
    int HiddenSize { get; }

    /// <summary>O, the output width (NumPy <c>output_size</c>).</summary>
    int OutputSize { get; }

    /// <summary>The current state h, 1×H, as a copy; setting checks and copies (NumPy <c>h</c>).</summary>
    Matrix<double> State { get; set; }

    /// <summary>A copy of the initial state h0, 1×H (NumPy <c>h0</c>).</summary>
    Matrix<double> InitialState { get; }

    /// <summary>One step on a 1×I input; returns the 1×O output (NumPy <c>step(x)</c>).</summary>
    /// <param name="input">1×I.</param>
    /// <returns>1×O.</returns>
    Matrix<double> TimeStep(Matrix<double> input);

    /// <summary>Puts the state (and an LSTM's cell state) back to the initial one (NumPy <c>reset()</c>).</summary>
    void Reset();

    /// <summary>
    /// An action that puts the state (and an LSTM's cell state) back as it is now, without checks: how
    /// <see cref="Sampler"/> leaves a model as it found it.
    /// </summary>
    /// <returns>The restoring action.</returns>
    internal Action Snapshot();
}
