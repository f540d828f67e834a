using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The stack's sizes, read-only parameter copies and states (copies in, copies out).</summary>
public sealed partial class RecurrentStack
{
    /// <summary>The cell: <c>"rnn"</c>, <c>"lstm"</c> or <c>"gru"</c>. NumPy twin: <c>cell</c>.</summary>
    public string CellName { get; }

    /// <summary>L. NumPy twin: <c>num_layers</c>.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the layers run both ways. NumPy twin: <c>bidirectional</c>.</summary>
    public bool Bidirectional => Directions == 2;

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions { get; }

    /// <summary>The RNN's f (<see cref="Activation.Tanh"/> for the gated cells). NumPy twin: <c>nonlinearity</c>.</summary>
    public Activation Nonlinearity { get; }

    /// <summary>I, layer 0's input size. NumPy twin: <c>input_size</c>.</summary>
    public int InputSize { get; }

    /// <summary>H. NumPy twin: <c>hidden_size</c>.</summary>
    public int HiddenSize { get; }

    /// <summary>O: W_hy's output count, or D·H without W_hy. NumPy twin: <c>output_size</c>.</summary>
    public int OutputSize => _outputWeights?.ColumnCount ?? Directions * HiddenSize;

    /// <summary>Whether the layers have torch's biases (all of them or none).</summary>
    public bool HasBiases { get; }

    /// <summary>Whether there is an output layer W_hy.</summary>
    public bool HasOutputWeights => _outputWeights is not null;

    /// <summary>G: 1 (RNN), 4 (LSTM) or 3 (GRU).</summary>
    internal int Gates { get; }

    /// <summary>A copy of the named parameter in the row convention (a weight: torch's tensor transposed; a bias: 1×n). NumPy twin: <c>parameters()[name]</c>.</summary>
    /// <param name="name">A torch name, <c>W_hy</c> or <c>b_y</c>.</param>
    /// <exception cref="ArgumentException">The stack has no such parameter.</exception>
    public Matrix<double> Parameter(string name)
    {
        foreach ((string n, Matrix<double> value) in _parameters)
        {
            if (n == name)
            {
                return value.Clone();
            }
        }

        throw new ArgumentException($"{name}: not a parameter of this stack (it has {string.Join(", ", _parameters.Select(p => p.Name))})", nameof(name));
    }

    /// <summary>The parameters' names in order: torch's <c>_flat_weights_names</c>, then W_hy, b_y when present.</summary>
    public IReadOnlyList<string> ParameterNames => _parameters.Select(p => p.Name).ToList();

    /// <summary>A copy of the output weights, D·H×O, or null.</summary>
    public Matrix<double>? OutputWeights => _outputWeights?.Clone();

    /// <summary>A copy of the output bias, 1×O, or null.</summary>
    public Matrix<double>? OutputBias => _outputBias?.Clone();

    /// <summary>A copy of the initial states, (L·D)×H (NumPy <c>h0</c>).</summary>
    public Matrix<double> InitialStates => Rows(_initialStates);

    /// <summary>A copy of the initial cell states, (L·D)×H (NumPy <c>c0</c>), or null for the RNN and the GRU.</summary>
    public Matrix<double>? InitialCellStates => _initialCellStates is null ? null : Rows(_initialCellStates);

    /// <summary>
    /// The current states, (L·D)×H (NumPy <c>h</c>): getting copies; setting checks, then copies in.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    /// <exception cref="ShapeMismatchException">The value set is not (L·D)×H.</exception>
    /// <exception cref="NonFiniteValueException">The value set holds NaN or ±Infinity.</exception>
    public Matrix<double> State
    {
        get => Rows(_states);
        set => SetStates(value, _states, nameof(State));
    }

    /// <summary>
    /// The current cell states, (L·D)×H (NumPy <c>c</c>), or null for the RNN and the GRU: getting copies; setting checks, then copies in.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    /// <exception cref="InvalidOperationException">The stack is not an LSTM.</exception>
    /// <exception cref="ShapeMismatchException">The value set is not (L·D)×H.</exception>
    /// <exception cref="NonFiniteValueException">The value set holds NaN or ±Infinity.</exception>
    public Matrix<double>? CellState
    {
        get => _cellStates is null ? null : Rows(_cellStates);
        set
        {
            if (_cellStates is null)
            {
                throw new InvalidOperationException($"CellState: a {CellName} has no cell state");
            }

            SetStates(value!, _cellStates, nameof(CellState));
        }
    }

    /// <summary>Puts the states (and cell states) back to their initial values. NumPy twin: <c>reset()</c>.</summary>
    public void Reset()
    {
        _initialStates.CopyTo(_states, 0);
        _initialCellStates?.CopyTo(_cellStates!, 0);
    }

    /// <summary>Layer k, direction d's weights.</summary>
    internal LayerWeights Layer(int k, int d) => _layers[k * Directions + d];

    /// <summary>The live output weights, or null.</summary>
    internal Matrix<double>? LiveOutputWeights => _outputWeights;

    /// <summary>The live output bias, or null.</summary>
    internal Matrix<double>? LiveOutputBias => _outputBias;

    /// <summary>The live states, (L·D)·H row-major.</summary>
    internal double[] LiveStates => _states;

    /// <summary>The live cell states, or null.</summary>
    internal double[]? LiveCellStates => _cellStates;
}
