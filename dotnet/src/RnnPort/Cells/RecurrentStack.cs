using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// torch's <c>nn.RNN</c>, <c>nn.LSTM</c> and <c>nn.GRU</c> with <c>num_layers = L</c> and <c>bidirectional</c>
/// (D = 2 directions, else 1), with an optional output layer, in the row convention (docs/stacks.md, the spec
/// both languages follow). NumPy twin: <c>rnnport.cells.stack.RecurrentStack</c>. Every per-step operation is
/// the single cell's (<see cref="LSTM"/>, <see cref="GRU"/>; the RNN layer keeps torch's two biases), so the
/// exact-mode bits are the NumPy twin's.
/// </summary>
/// <remarks>
/// Parameters are keyed by torch's names (<c>weight_ih_l{k}{s}</c>, <c>weight_hh_l{k}{s}</c>,
/// <c>bias_ih_l{k}{s}</c>, <c>bias_hh_l{k}{s}</c>, s = "" or "_reverse"), each weight the transpose of torch's
/// tensor, each bias 1×G·H; then <c>W_hy</c> (D·H×O) and <c>b_y</c> (1×O). States are (L·D)×H, not transposed:
/// row k·D + d is layer k, direction d. Every public method checks its arguments before it touches anything.
/// One instance is not thread-safe.
/// </remarks>
public sealed partial class RecurrentStack
{
    private readonly LayerWeights[] _layers;                      // index k·D + d
    private readonly List<(string Name, Matrix<double> Value)> _parameters;  // torch's order, then W_hy, b_y; live
    private readonly Matrix<double>? _outputWeights;             // D·H×O = W_hyᵀ, or null
    private readonly Matrix<double>? _outputBias;                // 1×O, or null
    private readonly double[] _outputPacked;
    private readonly double[] _initialStates, _states;           // (L·D)×H row-major: row r at r·H
    private readonly double[]? _initialCellStates, _cellStates;  // the LSTM's, likewise

    /// <summary>
    /// Creates the stack; every matrix is checked, then copied. NumPy twin: <c>RecurrentStack(cell, parameters, *,
    /// num_layers, bidirectional, nonlinearity, W_hy, b_y, h0, c0)</c>.
    /// </summary>
    /// <param name="cell"><c>"rnn"</c>, <c>"lstm"</c> or <c>"gru"</c>.</param>
    /// <param name="parameters">torch's names → the transposes of torch's weights (I_k×G·H, H×G·H) and 1×G·H biases.</param>
    /// <param name="numLayers">L ≥ 1.</param>
    /// <param name="bidirectional">Whether each layer has a reverse direction.</param>
    /// <param name="nonlinearity">The RNN's f; the gated cells take only <see cref="Activation.Tanh"/>.</param>
    /// <param name="outputWeights">D·H×O (NumPy <c>W_hy</c> (O, D·H) transposed), or null: the output is then the top layer's.</param>
    /// <param name="outputBias">1×O (NumPy <c>b_y</c>), only with <paramref name="outputWeights"/>.</param>
    /// <param name="initialStates">(L·D)×H (NumPy <c>h0</c>, same layout); zeros when null.</param>
    /// <param name="initialCellStates">(L·D)×H (NumPy <c>c0</c>), the LSTM's only; zeros when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cell"/> or <paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentException">An unknown cell or nonlinearity, L &lt; 1, a missing or an extra key, some biases without the others, <c>b_y</c> without <c>W_hy</c>, <c>c0</c> for another cell.</exception>
    /// <exception cref="ShapeMismatchException">A shape does not fit (the message in NumPy shapes, naming the key).</exception>
    /// <exception cref="NonFiniteValueException">A value is NaN or ±Infinity.</exception>
    public RecurrentStack(
        string cell,
        IReadOnlyDictionary<string, Matrix<double>> parameters,
        int numLayers,
        bool bidirectional = false,
        Activation nonlinearity = Activation.Tanh,
        Matrix<double>? outputWeights = null,
        Matrix<double>? outputBias = null,
        Matrix<double>? initialStates = null,
        Matrix<double>? initialCellStates = null)
    {
        Numerics.UseManagedProvider();
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(parameters);
        int gates = StackLayout.Gates(cell);
        if (nonlinearity != Activation.Tanh && nonlinearity != Activation.Relu)
        {
            throw new ArgumentException($"unknown nonlinearity {nonlinearity}: expected tanh or relu", nameof(nonlinearity));
        }

        if (gates != 1 && nonlinearity != Activation.Tanh)
        {
            throw new ArgumentException(
                $"nonlinearity '{ActivationFunctions.Name(nonlinearity)}': only the rnn cell has one to choose ('tanh' for {cell})", nameof(nonlinearity));
        }

        if (numLayers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numLayers), $"num_layers must be at least 1, got {Guard.Number(numLayers)}");
        }

        int directions = bidirectional ? 2 : 1;
        bool biases = StackLayout.CheckKeys(parameters, cell, numLayers, directions);
        Matrix<double> hh0 = Guard.NotNull(parameters["weight_hh_l0"], "weight_hh_l0");
        int hidden = hh0.RowCount;  // NumPy: weight_hh_l0.shape[1]
        Matrix<double> ih0 = Guard.NotNull(parameters["weight_ih_l0"], "weight_ih_l0");
        StackLayout.CheckWeight(ih0, gates * hidden, -1, "weight_ih_l0", "I");
        int inputSize = ih0.RowCount;
        foreach (string name in StackLayout.Names(numLayers, directions, biases))
        {
            Matrix<double> m = Guard.NotNull(parameters[name], name);
            int columns = name.StartsWith("weight_ih_l", StringComparison.Ordinal)
                ? (StackLayout.LayerOf(name) == 0 ? inputSize : directions * hidden)
                : hidden;
            if (name.StartsWith("bias", StringComparison.Ordinal))
            {
                StackLayout.CheckVector(m, gates * hidden, name);
            }
            else
            {
                StackLayout.CheckWeight(m, gates * hidden, columns, name, null);
            }
        }

        if (outputBias is not null && outputWeights is null)
        {
            throw new ArgumentException("b_y: given without W_hy (the output bias belongs to the output layer)", nameof(outputBias));
        }

        if (outputWeights is not null)
        {
            StackLayout.CheckWeight(outputWeights, -1, directions * hidden, "W_hy", "O");
        }

        if (outputBias is not null)
        {
            StackLayout.CheckVector(outputBias, outputWeights!.ColumnCount, "b_y");
        }

        if (initialCellStates is not null && gates != 4)
        {
            throw new ArgumentException($"c0: only the lstm has a cell state, not the {cell}", nameof(initialCellStates));
        }

        StackLayout.CheckStates(initialStates, numLayers * directions, hidden, "h0");
        StackLayout.CheckStates(initialCellStates, numLayers * directions, hidden, "c0");

        foreach (string name in StackLayout.Names(numLayers, directions, biases))
        {
            Guard.IsFinite(parameters[name], name);
        }

        foreach ((Matrix<double>? m, string name) in new[] { (outputWeights, "W_hy"), (outputBias, "b_y") })
        {
            if (m is not null)
            {
                Guard.IsFinite(m, name);
            }
        }

        foreach ((Matrix<double>? m, string name) in new[] { (initialStates, "h0"), (initialCellStates, "c0") })
        {
            if (m is not null)
            {
                Guard.IsFiniteByRows(m, name);
            }
        }

        // Everything checked: copy.
        CellName = cell;
        Gates = gates;
        NumLayers = numLayers;
        Directions = directions;
        Nonlinearity = nonlinearity;
        InputSize = inputSize;
        HiddenSize = hidden;
        HasBiases = biases;
        _parameters = [];
        _layers = new LayerWeights[numLayers * directions];
        for (int k = 0; k < numLayers; k++)
        {
            for (int d = 0; d < directions; d++)
            {
                string suffix = StackLayout.Suffix(k, d);
                Matrix<double> ih = Dense(parameters["weight_ih" + suffix]), hh = Dense(parameters["weight_hh" + suffix]);
                Matrix<double>? bih = biases ? Dense(parameters["bias_ih" + suffix]) : null;
                Matrix<double>? bhh = biases ? Dense(parameters["bias_hh" + suffix]) : null;
                _layers[k * directions + d] = new LayerWeights(ih, hh, bih, bhh);
                _parameters.Add(("weight_ih" + suffix, ih));
                _parameters.Add(("weight_hh" + suffix, hh));
                if (biases)
                {
                    _parameters.Add(("bias_ih" + suffix, bih!));
                    _parameters.Add(("bias_hh" + suffix, bhh!));
                }
            }
        }

        _outputWeights = outputWeights is null ? null : Dense(outputWeights);
        _outputBias = outputBias is null ? null : Dense(outputBias);
        if (_outputWeights is not null)
        {
            _parameters.Add(("W_hy", _outputWeights));
        }

        if (_outputBias is not null)
        {
            _parameters.Add(("b_y", _outputBias));
        }

        _outputPacked = new double[_outputWeights is null ? 0 : _outputWeights.RowCount * _outputWeights.ColumnCount];
        PackWeights();
        int rows = numLayers * directions;
        _initialStates = initialStates is null ? new double[rows * hidden] : RowMajor(initialStates);
        _states = (double[])_initialStates.Clone();
        if (gates == 4)
        {
            _initialCellStates = initialCellStates is null ? new double[rows * hidden] : RowMajor(initialCellStates);
            _cellStates = (double[])_initialCellStates.Clone();
        }
    }

    private void PackWeights()
    {
        foreach (LayerWeights layer in _layers)
        {
            layer.Pack();
        }

        if (_outputWeights is not null)
        {
            SequentialKernels.Pack(ColumnMajor.Storage(_outputWeights), _outputWeights.RowCount, _outputWeights.ColumnCount, _outputPacked);
        }
    }

    private void SetStates(Matrix<double> value, double[] target, string name)
    {
        Guard.HasShape(value, NumLayers * Directions, HiddenSize, name);
        Guard.IsFiniteByRows(value, name);
        RowMajor(value).CopyTo(target, 0);
    }

    private static Matrix<double> Dense(Matrix<double> m) => Matrix<double>.Build.DenseOfMatrix(m);

    /// <summary>The values of <paramref name="m"/> row by row.</summary>
    internal static double[] RowMajor(Matrix<double> m) => m.ToRowMajorArray();

    /// <summary>A (L·D)×H matrix from row-major values (copied).</summary>
    private Matrix<double> Rows(double[] values) =>
        Matrix<double>.Build.DenseOfRowMajor(values.Length / HiddenSize, HiddenSize, values);
}
