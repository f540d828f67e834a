using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Gradients of the summed loss of one chunk, each the shape of its parameter in the row convention,
/// so each is the transpose of its NumPy twin in <c>rnnport.cells.rnn_bptt.Gradients</c>. The matrices are held
/// live, not copied: clipping scales them in place.
/// </summary>
public sealed class Gradients : IParameterGradients
{
    /// <summary>Wraps the given matrices (no copies).</summary>
    /// <param name="inputWeights">I×H, <c>dW_xhᵀ</c>.</param>
    /// <param name="recurrentWeights">H×H, <c>dW_hhᵀ</c>.</param>
    /// <param name="outputWeights">H×O, <c>dW_hyᵀ</c>.</param>
    /// <param name="hiddenBias">1×H, <c>db_hᵀ</c>, or null when the model has no hidden bias.</param>
    /// <param name="outputBias">1×O, <c>db_yᵀ</c>, or null when the model has no output bias.</param>
    /// <param name="initialState">1×H, the gradient with respect to the chunk's initial state (<c>dh0ᵀ</c>).</param>
    /// <exception cref="ArgumentNullException">A weight gradient or the initial state's gradient is null.</exception>
    public Gradients(
        Matrix<double> inputWeights,
        Matrix<double> recurrentWeights,
        Matrix<double> outputWeights,
        Matrix<double>? hiddenBias,
        Matrix<double>? outputBias,
        Matrix<double> initialState)
    {
        InputWeights = Guard.NotNull(inputWeights, nameof(inputWeights));
        RecurrentWeights = Guard.NotNull(recurrentWeights, nameof(recurrentWeights));
        OutputWeights = Guard.NotNull(outputWeights, nameof(outputWeights));
        HiddenBias = hiddenBias;
        OutputBias = outputBias;
        InitialState = Guard.NotNull(initialState, nameof(initialState));
    }

    /// <summary>I×H gradient of the input weights, the transpose of NumPy's <c>dW_xh</c> (H, I).</summary>
    public Matrix<double> InputWeights { get; }

    /// <summary>H×H gradient of the recurrent weights, the transpose of NumPy's <c>dW_hh</c> (H, H).</summary>
    public Matrix<double> RecurrentWeights { get; }

    /// <summary>H×O gradient of the output weights, the transpose of NumPy's <c>dW_hy</c> (O, H).</summary>
    public Matrix<double> OutputWeights { get; }

    /// <summary>1×H gradient of the hidden bias (NumPy <c>db_h</c>, (H,)), or null when the model has none.</summary>
    public Matrix<double>? HiddenBias { get; }

    /// <summary>1×O gradient of the output bias (NumPy <c>db_y</c>, (O,)), or null when the model has none.</summary>
    public Matrix<double>? OutputBias { get; }

    /// <summary>
    /// 1×H gradient with respect to the state the chunk started from (NumPy <c>h0</c>, (H,)). It is
    /// reported, never applied: an optimiser ignores it.
    /// </summary>
    public Matrix<double> InitialState { get; }

    /// <summary>
    /// The parameter gradients by name (live), in the order of <see cref="RNN"/>'s parameters:
    /// InputWeights, RecurrentWeights, OutputWeights, then HiddenBias and OutputBias when present.
    /// NumPy twin: <c>Gradients.parameters()</c>. InitialState is not among them.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() =>
        RNN.ParameterList(InputWeights, RecurrentWeights, OutputWeights, HiddenBias, OutputBias);

    /// <summary>
    /// Zero gradients for <paramref name="model"/>: one zero matrix per parameter, in its shape, and a 1×H
    /// initial state, for BPTT to accumulate into.
    /// </summary>
    internal static Gradients ZerosFor(RNN model)
    {
        Dictionary<string, Matrix<double>> zeros = model.Parameters().ToDictionary(
            p => p.Name, p => Matrix<double>.Build.Dense(p.Value.RowCount, p.Value.ColumnCount), StringComparer.Ordinal);
        return new Gradients(
            zeros[ParameterNames.InputWeights],
            zeros[ParameterNames.RecurrentWeights],
            zeros[ParameterNames.OutputWeights],
            zeros.GetValueOrDefault(ParameterNames.HiddenBias),
            zeros.GetValueOrDefault(ParameterNames.OutputBias),
            Matrix<double>.Build.Dense(1, model.HiddenSize));
    }

    /// <summary>
    /// Pairs each parameter of <paramref name="model"/> with its gradient, after checking that the
    /// names and shapes match, so that a caller can update everything or nothing.
    /// NumPy twin: <c>optim._pairs</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The gradients are for a different set of biases.</exception>
    /// <exception cref="ShapeMismatchException">A gradient's shape differs from its parameter's.</exception>
    internal IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> PairWith(RNN model) =>
        Pair(model.Parameters(), Parameters());

    /// <summary>Pairs any cell's parameters with its gradients (see the list overload): what every optimiser does first.</summary>
    /// <exception cref="ArgumentException">The gradients are for a different set of parameters.</exception>
    /// <exception cref="ShapeMismatchException">A gradient's shape differs from its parameter's.</exception>
    internal static IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> Pair(
        ITrainable model, IParameterGradients gradients) => Pair(model.Parameters(), gradients.Parameters());

    /// <summary>Pairs a model's named parameters with named gradients (any cell): same names in order, same shapes.</summary>
    internal static IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> Pair(
        IReadOnlyList<(string Name, Matrix<double> Value)> parameters, IReadOnlyList<(string Name, Matrix<double> Value)> gradients)
    {
        if (!parameters.Select(p => p.Name).SequenceEqual(gradients.Select(g => g.Name)))
        {
            throw new ArgumentException(
                $"gradients are for [{string.Join(", ", gradients.Select(g => g.Name))}], " +
                $"the model has [{string.Join(", ", parameters.Select(p => p.Name))}]",
                "gradients");
        }

        var pairs = new List<(string, Matrix<double>, Matrix<double>)>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
        {
            (string name, Matrix<double> parameter) = parameters[i];
            Matrix<double> gradient = gradients[i].Value;
            if (gradient.RowCount != parameter.RowCount || gradient.ColumnCount != parameter.ColumnCount)
            {
                throw new ShapeMismatchException($"gradients.{name}", Guard.Shape(parameter), Guard.Shape(gradient));
            }

            pairs.Add((name, parameter, gradient));
        }

        return pairs;
    }

    IReadOnlyList<(string Name, Matrix<double> Value)> IParameterGradients.Parameters() => Parameters();

    IEnumerable<(string Name, Matrix<double> Value)> IParameterGradients.Arrays() =>
        Parameters().Append((ParameterNames.InitialState, InitialState));
}
