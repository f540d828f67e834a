using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Gradients of one chunk's summed loss for a <see cref="GRU"/>, each the shape of its parameter in the row
/// convention (the transposes of NumPy's <c>rnnport.cells.gru_bptt.GruGradients</c>). Held live: clipping
/// scales them in place.
/// </summary>
public sealed class GruGradients : IParameterGradients
{
    internal GruGradients(int inputSize, int hidden, int outputSize, (bool Input, bool Recurrent, bool Output) biases)
    {
        InputWeights = Matrix<double>.Build.Dense(inputSize, 3 * hidden);
        RecurrentWeights = Matrix<double>.Build.Dense(hidden, 3 * hidden);
        OutputWeights = Matrix<double>.Build.Dense(hidden, outputSize);
        InputBias = biases.Input ? Matrix<double>.Build.Dense(1, 3 * hidden) : null;
        RecurrentBias = biases.Recurrent ? Matrix<double>.Build.Dense(1, 3 * hidden) : null;
        OutputBias = biases.Output ? Matrix<double>.Build.Dense(1, outputSize) : null;
        InitialState = Matrix<double>.Build.Dense(1, hidden);
    }

    /// <summary>I×3H, <c>dW_ihᵀ</c>.</summary>
    public Matrix<double> InputWeights { get; }

    /// <summary>H×3H, <c>dW_hhᵀ</c>.</summary>
    public Matrix<double> RecurrentWeights { get; }

    /// <summary>H×O, <c>dW_hyᵀ</c>.</summary>
    public Matrix<double> OutputWeights { get; }

    /// <summary>1×3H, <c>db_ih</c>, or null when the model has no input bias.</summary>
    public Matrix<double>? InputBias { get; }

    /// <summary>1×3H, <c>db_hh</c>, or null.</summary>
    public Matrix<double>? RecurrentBias { get; }

    /// <summary>1×O, <c>db_y</c>, or null.</summary>
    public Matrix<double>? OutputBias { get; }

    /// <summary>1×H, the gradient with respect to the chunk's initial state (NumPy <c>h0</c>); reported, never applied.</summary>
    public Matrix<double> InitialState { get; }

    /// <summary>The parameter gradients by name, live, in <see cref="GRU"/>'s parameter order.</summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        GRU.ParameterList(InputWeights, RecurrentWeights, OutputWeights, InputBias, RecurrentBias, OutputBias);

    IReadOnlyList<(string Name, Matrix<double> Value)> IParameterGradients.Parameters() => Parameters();

    IEnumerable<(string Name, Matrix<double> Value)> IParameterGradients.Arrays() =>
        Parameters().Append((ParameterNames.InitialState, InitialState));
}
