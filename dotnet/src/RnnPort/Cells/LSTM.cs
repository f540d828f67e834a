using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// An LSTM cell with <c>torch.nn.LSTM</c>'s equations and gate order (i, f, g, o), in the article's row
/// convention, and the article's output layer:
/// <code>
/// a      = (input·inputWeights (+ inputBias)) + (state·recurrentWeights (+ recurrentBias))   (1×4H: [i | f | g | o])
/// i, f, o = σ(a_i), σ(a_f), σ(a_o);  g = tanh(a_g)
/// cell'  = (f·cell) + (i·g);  state' = o·tanh(cell')                                         (1×H each)
/// output = state'·outputWeights (+ outputBias)                                               (1×O)
/// </code>
/// with σ(z) = 1 / (1 + exp(−z)) (<see cref="Math.Exp"/>). NumPy twin: <c>rnnport.cells.lstm.LSTM</c>, whose
/// weights are the transposes: <c>inputWeights = W_ihᵀ</c> (I×4H), <c>recurrentWeights = W_hhᵀ</c> (H×4H),
/// <c>outputWeights = W_hyᵀ</c> (H×O); <c>W_ih</c> and <c>W_hh</c> are torch's <c>weight_ih_l0</c> and
/// <c>weight_hh_l0</c>, the biases torch's <c>bias_ih_l0</c> and <c>bias_hh_l0</c>.
/// </summary>
/// <remarks>
/// Every dot product is summed as MathNet's managed provider sums it (k ascending from +0.0), so the
/// results are bit-identical to the NumPy twin's exact mode (docs/exact-mode.md, "LSTM"). Every public
/// method checks its arguments before it touches the state; a rejected call leaves the model as it was.
/// One instance is not thread-safe.
/// </remarks>
public sealed partial class LSTM : IRecurrentCell
{
    private readonly Matrix<double> _inputWeights;      // I×4H = W_ihᵀ
    private readonly Matrix<double> _recurrentWeights;  // H×4H = W_hhᵀ
    private readonly Matrix<double> _outputWeights;     // H×O = W_hyᵀ
    private readonly Matrix<double>? _inputBias;        // 1×4H = b_ihᵀ, or null
    private readonly Matrix<double>? _recurrentBias;    // 1×4H = b_hhᵀ, or null
    private readonly Matrix<double>? _outputBias;       // 1×O = b_yᵀ, or null
    private readonly double[] _initialState;            // H = h0
    private readonly double[] _initialCellState;        // H = c0
    private readonly double[] _state;                   // H = h, updated in place
    private readonly double[] _cellState;               // H = c, updated in place
    private readonly double[] _stepScratch;             // I + 10H for TimeStep: x, h', c', then Cell's 8H of work

    // Packed row-major copies for SequentialKernels.RowTimesPacked (vectorised across outputs, the same
    // bits as MathNet's order); refreshed by ApplyUpdate, the one way a parameter changes.
    private readonly LayerWeights _layer;  // the step's weights, shared code with RecurrentStack
    private readonly double[] _outputPacked;

    /// <summary>
    /// Creates the cell from weights in the row convention; every matrix is copied into dense storage.
    /// NumPy twin: <c>LSTM(W_ih, W_hh, W_hy, h0, c0, b_ih=..., b_hh=..., b_y=...)</c>.
    /// </summary>
    /// <param name="inputWeights">I×4H, the transpose of NumPy's <c>W_ih</c> (4H, I); column blocks [i | f | g | o].</param>
    /// <param name="recurrentWeights">H×4H, the transpose of NumPy's <c>W_hh</c> (4H, H); H is read off its rows.</param>
    /// <param name="outputWeights">H×O, the transpose of NumPy's <c>W_hy</c> (O, H).</param>
    /// <param name="initialState">1×H (NumPy <c>h0</c>); zeros when null.</param>
    /// <param name="initialCellState">1×H (NumPy <c>c0</c>); zeros when null.</param>
    /// <param name="inputBias">1×4H (NumPy <c>b_ih</c>, torch's <c>bias_ih_l0</c>); none when null.</param>
    /// <param name="recurrentBias">1×4H (NumPy <c>b_hh</c>, torch's <c>bias_hh_l0</c>); none when null.</param>
    /// <param name="outputBias">1×O (NumPy <c>b_y</c>); none when null.</param>
    /// <exception cref="ArgumentNullException">A weight matrix is null.</exception>
    /// <exception cref="ShapeMismatchException">The shapes do not fit together.</exception>
    /// <exception cref="NonFiniteValueException">A weight, bias or initial state holds NaN or ±Infinity.</exception>
    public LSTM(
        Matrix<double> inputWeights,
        Matrix<double> recurrentWeights,
        Matrix<double> outputWeights,
        Matrix<double>? initialState = null,
        Matrix<double>? initialCellState = null,
        Matrix<double>? inputBias = null,
        Matrix<double>? recurrentBias = null,
        Matrix<double>? outputBias = null)
    {
        Numerics.UseManagedProvider();
        Guard.NotNull(inputWeights, nameof(inputWeights));
        Guard.NotNull(recurrentWeights, nameof(recurrentWeights));
        Guard.NotNull(outputWeights, nameof(outputWeights));
        int hidden = recurrentWeights.RowCount;  // W_hh.shape[1], where the NumPy twin reads H
        Guard.HasShape(recurrentWeights, hidden, 4 * hidden, nameof(recurrentWeights));
        Guard.HasShape(inputWeights, -1, 4 * hidden, nameof(inputWeights), freeRows: "I");
        Guard.HasShape(outputWeights, hidden, outputWeights.ColumnCount, nameof(outputWeights));
        (Matrix<double>? Value, int Columns, string Name)[] optional =
        [
            (initialState, hidden, nameof(initialState)),
            (initialCellState, hidden, nameof(initialCellState)),
            (inputBias, 4 * hidden, nameof(inputBias)),
            (recurrentBias, 4 * hidden, nameof(recurrentBias)),
            (outputBias, outputWeights.ColumnCount, nameof(outputBias)),
        ];
        foreach ((Matrix<double>? value, int columns, string name) in optional)
        {
            if (value is not null)
            {
                Guard.HasShape(value, 1, columns, name);
            }
        }

        Guard.IsFinite(inputWeights, nameof(inputWeights));
        Guard.IsFinite(recurrentWeights, nameof(recurrentWeights));
        Guard.IsFinite(outputWeights, nameof(outputWeights));
        foreach ((Matrix<double>? value, _, string name) in optional)
        {
            if (value is not null)
            {
                Guard.IsFinite(value, name);
            }
        }

        _inputWeights = Dense(inputWeights);
        _recurrentWeights = Dense(recurrentWeights);
        _outputWeights = Dense(outputWeights);
        _inputBias = inputBias is null ? null : Dense(inputBias);
        _recurrentBias = recurrentBias is null ? null : Dense(recurrentBias);
        _outputBias = outputBias is null ? null : Dense(outputBias);
        _initialState = initialState is null ? new double[hidden] : Dense(initialState).ToColumnMajorArray();
        _initialCellState = initialCellState is null ? new double[hidden] : Dense(initialCellState).ToColumnMajorArray();
        _state = (double[])_initialState.Clone();
        _stepScratch = new double[inputWeights.RowCount + (10 * hidden)];
        _cellState = (double[])_initialCellState.Clone();
        _layer = new LayerWeights(_inputWeights, _recurrentWeights, _inputBias, _recurrentBias);
        _outputPacked = new double[hidden * _outputWeights.ColumnCount];
        PackWeights();
    }

    /// <summary>I. NumPy twin: <c>W_ih.shape[1]</c>.</summary>
    public int InputSize => _inputWeights.RowCount;

    /// <summary>H. NumPy twin: <c>W_hh.shape[1]</c>.</summary>
    public int HiddenSize => _recurrentWeights.RowCount;

    /// <summary>O. NumPy twin: <c>W_hy.shape[0]</c>.</summary>
    public int OutputSize => _outputWeights.ColumnCount;

    /// <summary>
    /// The current state, 1×H (NumPy twin: <c>h</c>). Getting returns a copy; setting checks and copies.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    /// <exception cref="ShapeMismatchException">The value set is not 1×H.</exception>
    /// <exception cref="NonFiniteValueException">The value set holds NaN or ±Infinity.</exception>
    public Matrix<double> State
    {
        get => Row(_state);
        set => SetChecked(value, _state, nameof(State));
    }

    /// <summary>
    /// The current cell state, 1×H (NumPy twin: <c>c</c>). Getting returns a copy; setting checks and copies.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    /// <exception cref="ShapeMismatchException">The value set is not 1×H.</exception>
    /// <exception cref="NonFiniteValueException">The value set holds NaN or ±Infinity.</exception>
    public Matrix<double> CellState
    {
        get => Row(_cellState);
        set => SetChecked(value, _cellState, nameof(CellState));
    }

    /// <summary>A copy of the initial state, 1×H (NumPy twin: <c>h0</c>).</summary>
    public Matrix<double> InitialState => Row(_initialState);

    /// <summary>A copy of the initial cell state, 1×H (NumPy twin: <c>c0</c>).</summary>
    public Matrix<double> InitialCellState => Row(_initialCellState);

    /// <summary>A copy of the input weights, I×4H = <c>W_ihᵀ</c>.</summary>
    public Matrix<double> InputWeights => _inputWeights.Clone();

    /// <summary>A copy of the recurrent weights, H×4H = <c>W_hhᵀ</c>.</summary>
    public Matrix<double> RecurrentWeights => _recurrentWeights.Clone();

    /// <summary>A copy of the output weights, H×O = <c>W_hyᵀ</c>.</summary>
    public Matrix<double> OutputWeights => _outputWeights.Clone();

    /// <summary>A copy of the input bias, 1×4H = <c>b_ihᵀ</c>, or null.</summary>
    public Matrix<double>? InputBias => _inputBias?.Clone();

    /// <summary>A copy of the recurrent bias, 1×4H = <c>b_hhᵀ</c>, or null.</summary>
    public Matrix<double>? RecurrentBias => _recurrentBias?.Clone();

    /// <summary>A copy of the output bias, 1×O = <c>b_yᵀ</c>, or null.</summary>
    public Matrix<double>? OutputBias => _outputBias?.Clone();

    /// <summary>
    /// Advances the cell by one timestep and returns the output. NumPy twin: <c>LSTM.step(x)</c>.
    /// </summary>
    /// <param name="input">1×I (NumPy <c>x</c>, (I,)).</param>
    /// <returns>1×O (NumPy <c>y</c>, (O,)).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="input"/> is not 1×I.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="input"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">
    /// The new state, cell state or output (checked in that order) is not finite; the state is unchanged.
    /// </exception>
    public Matrix<double> TimeStep(Matrix<double> input)
    {
        Guard.HasShape(input, 1, InputSize, nameof(input));
        Guard.IsFinite(input, nameof(input));
        int hidden = HiddenSize;
        Span<double> scratch = _stepScratch;  // one instance is not thread-safe: TimeStep reuses it
        Span<double> x = scratch[..InputSize];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = input.At(0, i);
        }

        Span<double> h = scratch.Slice(InputSize, hidden), c = scratch.Slice(InputSize + hidden, hidden);
        Span<double> work = scratch.Slice(InputSize + (2 * hidden), 8 * hidden);
        Cell(x, _state, _cellState, work, h, c, default);
        var output = new double[OutputSize];
        Output(h, output);
        if (CheckResults)
        {
            FiniteResults.RefuseStep(h, "state");
            FiniteResults.RefuseStep(c, "cell state");
            FiniteResults.RefuseStep(output, "output");
        }

        h.CopyTo(_state);
        c.CopyTo(_cellState);
        return Matrix<double>.Build.Dense(1, output.Length, output);
    }

    /// <summary>
    /// Runs the cell over a sequence from the current state and cell state, leaving both at the last
    /// timestep's. NumPy twin: <c>LSTM.forward(xs)</c>.
    /// </summary>
    /// <remarks>One scratch array per call; nothing is allocated per timestep.</remarks>
    /// <param name="inputs">T×I; T may be 0.</param>
    /// <returns>Outputs T×O, States T×H and CellStates T×H: row t after timestep t.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">
    /// A state, cell state or output is not finite; the message names the first such timestep; the state is unchanged.
    /// </exception>
    public (Matrix<double> Outputs, Matrix<double> States, Matrix<double> CellStates) Forward(Matrix<double> inputs)
    {
        Guard.HasShape(inputs, -1, InputSize, nameof(inputs));
        Guard.IsFiniteByRows(inputs, nameof(inputs));
        (Matrix<double> outputs, Matrix<double> states, Matrix<double> cells) = ForwardFrom(_state, _cellState, inputs, null);
        if (CheckResults)
        {
            RefuseSequence(outputs, states, cells);
        }

        int steps = inputs.RowCount;
        if (steps > 0)
        {
            for (int j = 0; j < HiddenSize; j++)
            {
                _state[j] = states.At(steps - 1, j);
                _cellState[j] = cells.At(steps - 1, j);
            }
        }

        return (outputs, states, cells);
    }

    /// <summary>Puts the state and the cell state back to their initial values. NumPy twin: <c>LSTM.reset()</c>.</summary>
    public void Reset()
    {
        _initialState.CopyTo(_state, 0);
        _initialCellState.CopyTo(_cellState, 0);
    }

    private static Matrix<double> Dense(Matrix<double> m) => Matrix<double>.Build.DenseOfMatrix(m);

    private static Matrix<double> Row(double[] values) => Matrix<double>.Build.Dense(1, values.Length, (double[])values.Clone());

    private void SetChecked(Matrix<double> value, double[] target, string name)
    {
        Guard.HasShape(value, 1, HiddenSize, name);
        Guard.IsFinite(value, name);
        for (int j = 0; j < target.Length; j++)
        {
            target[j] = value.At(0, j);
        }
    }
}
