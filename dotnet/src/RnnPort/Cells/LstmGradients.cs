using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Gradients of an <see cref="LSTM"/>'s summed loss, each the shape of its parameter (row convention), plus the
/// gradients with respect to the chunk's initial state and cell state. NumPy twin:
/// <c>rnnport.cells.lstm_bptt.LstmGradients</c> (W_ih, W_hh, W_hy, b_ih, b_hh, b_y, h0, c0: the transposes).
/// </summary>
public sealed class LstmGradients : IParameterGradients
{
    /// <summary>Creates the gradients; the matrices are used as they are (not copied).</summary>
    /// <param name="inputWeights">I×4H.</param>
    /// <param name="recurrentWeights">H×4H.</param>
    /// <param name="outputWeights">H×O.</param>
    /// <param name="inputBias">1×4H or null.</param>
    /// <param name="recurrentBias">1×4H or null.</param>
    /// <param name="outputBias">1×O or null.</param>
    /// <param name="initialState">1×H.</param>
    /// <param name="initialCellState">1×H.</param>
    /// <exception cref="ArgumentNullException">A required matrix is null.</exception>
    public LstmGradients(
        Matrix<double> inputWeights, Matrix<double> recurrentWeights, Matrix<double> outputWeights,
        Matrix<double>? inputBias, Matrix<double>? recurrentBias, Matrix<double>? outputBias,
        Matrix<double> initialState, Matrix<double> initialCellState)
    {
        InputWeights = Guard.NotNull(inputWeights, nameof(inputWeights));
        RecurrentWeights = Guard.NotNull(recurrentWeights, nameof(recurrentWeights));
        OutputWeights = Guard.NotNull(outputWeights, nameof(outputWeights));
        InputBias = inputBias;
        RecurrentBias = recurrentBias;
        OutputBias = outputBias;
        InitialState = Guard.NotNull(initialState, nameof(initialState));
        InitialCellState = Guard.NotNull(initialCellState, nameof(initialCellState));
    }

    /// <summary>I×4H (NumPy <c>W_ih</c>ᵀ).</summary>
    public Matrix<double> InputWeights { get; }

    /// <summary>H×4H (NumPy <c>W_hh</c>ᵀ).</summary>
    public Matrix<double> RecurrentWeights { get; }

    /// <summary>H×O (NumPy <c>W_hy</c>ᵀ).</summary>
    public Matrix<double> OutputWeights { get; }

    /// <summary>1×4H or null (NumPy <c>b_ih</c>).</summary>
    public Matrix<double>? InputBias { get; }

    /// <summary>1×4H or null (NumPy <c>b_hh</c>).</summary>
    public Matrix<double>? RecurrentBias { get; }

    /// <summary>1×O or null (NumPy <c>b_y</c>).</summary>
    public Matrix<double>? OutputBias { get; }

    /// <summary>1×H, with respect to the chunk's initial state (NumPy <c>h0</c>); never applied by an optimiser.</summary>
    public Matrix<double> InitialState { get; }

    /// <summary>1×H, with respect to the chunk's initial cell state (NumPy <c>c0</c>); never applied by an optimiser.</summary>
    public Matrix<double> InitialCellState { get; }

    /// <summary>The parameter gradients by name, in <see cref="LSTM"/>'s parameter order (no initial states).</summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        Named(InputWeights, RecurrentWeights, OutputWeights, InputBias, RecurrentBias, OutputBias);

    /// <summary>The one parameter list of an LSTM, for the model and its gradients alike.</summary>
    internal static IReadOnlyList<(string Name, Matrix<double> Value)> Named(
        Matrix<double> input, Matrix<double> recurrent, Matrix<double> output,
        Matrix<double>? inputBias, Matrix<double>? recurrentBias, Matrix<double>? outputBias) =>
        NamedParameters.Of(
            input, recurrent, output,
            (ParameterNames.InputBias, inputBias), (ParameterNames.RecurrentBias, recurrentBias), (ParameterNames.OutputBias, outputBias));

    /// <summary>(name, live parameter, gradient) triples, checked before any update: the same names and shapes.</summary>
    /// <exception cref="ArgumentException">The gradients are for another set of biases.</exception>
    /// <exception cref="ShapeMismatchException">A gradient's shape differs from its parameter's.</exception>
    internal IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> PairWith(LSTM model) =>
        Gradients.Pair(model.Parameters(), Parameters());

    IReadOnlyList<(string Name, Matrix<double> Value)> IParameterGradients.Parameters() => Parameters();

    IEnumerable<(string Name, Matrix<double> Value)> IParameterGradients.Arrays() =>
        Parameters().Append(("InitialState", InitialState)).Append(("InitialCellState", InitialCellState));
}
