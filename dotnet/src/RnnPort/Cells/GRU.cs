using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// A gated recurrent unit with torch.nn.GRU's equations and gate order (r, z, n), in the row convention,
/// plus an output layer. NumPy twin: <c>rnnport.cells.gru.GRU</c>, whose weights are the transposes of these.
/// <code>
/// gi = input·inputWeights (+ inputBias)            (1×3H, blocks r, z, n)
/// gh = state·recurrentWeights (+ recurrentBias)    (1×3H)
/// r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n)
/// state' = (1 − z) ⊙ n + z ⊙ state,   output = state'·outputWeights (+ outputBias)
/// </code>
/// <c>inputWeights = W_ihᵀ</c> (I×3H), <c>recurrentWeights = W_hhᵀ</c> (H×3H), <c>outputWeights = W_hyᵀ</c>
/// (H×O), the biases 1×3H, 1×3H and 1×O. Every value is computed in the order docs/exact-mode.md ("GRU")
/// lists, so the NumPy twin's exact mode gives the same bits.
/// </summary>
/// <remarks>
/// Every public method checks its arguments before it touches the state: a rejected call leaves the model
/// as it was. One instance is not thread-safe.
/// </remarks>
public sealed partial class GRU : IRecurrentCell
{
    private readonly Matrix<double> _inputWeights;      // I×3H = W_ihᵀ
    private readonly Matrix<double> _recurrentWeights;  // H×3H = W_hhᵀ
    private readonly Matrix<double> _outputWeights;     // H×O = W_hyᵀ
    private readonly Matrix<double>? _inputBias;        // 1×3H = b_ihᵀ
    private readonly Matrix<double>? _recurrentBias;    // 1×3H = b_hhᵀ
    private readonly Matrix<double>? _outputBias;       // 1×O = b_yᵀ
    private readonly Matrix<double> _initialState;      // 1×H = h0ᵀ
    private readonly Matrix<double> _state;             // 1×H = hᵀ, updated in place

    // The column-major storage of the matrices above (column k of a weight matrix is gate row k of its
    // NumPy twin), and packed row-major copies of the weights, which SequentialKernels.RowTimesPacked reads
    // (MathNet's order, vectorised across outputs). ApplyUpdate, the only writer, repacks them.
    private readonly double[] _inputData, _recurrentData, _outputData, _stateData;
    private readonly LayerWeights _layer;  // the step's weights, shared code with RecurrentStack
    private readonly double[] _outputPacked;
    private readonly double[]? _outputBiasData;

    // TimeStep's scratch: gi, gh (3H each), r, z, n, next (H each).
    private readonly double[] _scratch;

    /// <summary>
    /// Creates the GRU from weights in the row convention; the matrices are copied. NumPy twin:
    /// <c>GRU(W_ih, W_hh, W_hy, h0, b_ih=..., b_hh=..., b_y=...)</c>.
    /// </summary>
    /// <param name="inputWeights">I×3H, the transpose of NumPy's <c>W_ih</c> (3H, I).</param>
    /// <param name="recurrentWeights">H×3H, the transpose of NumPy's <c>W_hh</c> (3H, H).</param>
    /// <param name="outputWeights">H×O, the transpose of NumPy's <c>W_hy</c> (O, H).</param>
    /// <param name="initialState">1×H (NumPy <c>h0</c>); zeros when null.</param>
    /// <param name="inputBias">1×3H (NumPy <c>b_ih</c>), or null for none.</param>
    /// <param name="recurrentBias">1×3H (NumPy <c>b_hh</c>), or null for none.</param>
    /// <param name="outputBias">1×O (NumPy <c>b_y</c>), or null for none.</param>
    /// <exception cref="ArgumentNullException">A weight matrix is null.</exception>
    /// <exception cref="ShapeMismatchException">The shapes do not fit together.</exception>
    /// <exception cref="NonFiniteValueException">A weight, a bias or the initial state holds NaN or ±Infinity.</exception>
    public GRU(
        Matrix<double> inputWeights,
        Matrix<double> recurrentWeights,
        Matrix<double> outputWeights,
        Matrix<double>? initialState = null,
        Matrix<double>? inputBias = null,
        Matrix<double>? recurrentBias = null,
        Matrix<double>? outputBias = null)
    {
        Numerics.UseManagedProvider();
        Guard.NotNull(inputWeights, nameof(inputWeights));
        Guard.NotNull(recurrentWeights, nameof(recurrentWeights));
        Guard.NotNull(outputWeights, nameof(outputWeights));

        // H is read off the recurrent weights (NumPy: W_hh.shape[1]), which must be H×3H.
        int hidden = recurrentWeights.RowCount, gates = 3 * hidden;
        Guard.HasShape(recurrentWeights, hidden, gates, nameof(recurrentWeights));
        Guard.HasShape(inputWeights, -1, gates, nameof(inputWeights), freeRows: "I");
        Guard.HasShape(outputWeights, hidden, outputWeights.ColumnCount, nameof(outputWeights));
        if (initialState is not null)
        {
            Guard.HasShape(initialState, 1, hidden, nameof(initialState));
        }

        CheckBiasShape(inputBias, gates, nameof(inputBias));
        CheckBiasShape(recurrentBias, gates, nameof(recurrentBias));
        CheckBiasShape(outputBias, outputWeights.ColumnCount, nameof(outputBias));

        // The NumPy twin's order: the weights, the initial state, then the biases.
        Guard.IsFinite(inputWeights, nameof(inputWeights));
        Guard.IsFinite(recurrentWeights, nameof(recurrentWeights));
        Guard.IsFinite(outputWeights, nameof(outputWeights));
        foreach ((Matrix<double>? m, string name) in new[]
        {
            (initialState, nameof(initialState)), (inputBias, nameof(inputBias)),
            (recurrentBias, nameof(recurrentBias)), (outputBias, nameof(outputBias)),
        })
        {
            if (m is not null)
            {
                Guard.IsFinite(m, name);
            }
        }

        _inputWeights = Dense(inputWeights);
        _recurrentWeights = Dense(recurrentWeights);
        _outputWeights = Dense(outputWeights);
        _inputBias = inputBias is null ? null : Dense(inputBias);
        _recurrentBias = recurrentBias is null ? null : Dense(recurrentBias);
        _outputBias = outputBias is null ? null : Dense(outputBias);
        _initialState = initialState is null ? Matrix<double>.Build.Dense(1, hidden) : Dense(initialState);
        _state = _initialState.Clone();

        _inputData = ColumnMajor.Storage(_inputWeights);
        _recurrentData = ColumnMajor.Storage(_recurrentWeights);
        _outputData = ColumnMajor.Storage(_outputWeights);
        _stateData = ColumnMajor.Storage(_state);
        _outputBiasData = _outputBias is null ? null : ColumnMajor.Storage(_outputBias);
        _scratch = new double[(2 * 3 + 4) * hidden];
        _layer = new LayerWeights(_inputWeights, _recurrentWeights, _inputBias, _recurrentBias);
        _outputPacked = new double[_outputData.Length];
        PackWeights();
    }

    /// <summary>Rewrites the packed weight copies from the live parameters.</summary>
    private void PackWeights()
    {
        _layer.Pack();
        SequentialKernels.Pack(_outputData, HiddenSize, OutputSize, _outputPacked);
    }

    /// <summary>I. NumPy twin: <c>input_size</c>.</summary>
    public int InputSize => _inputWeights.RowCount;

    /// <summary>H. NumPy twin: <c>hidden_size</c>.</summary>
    public int HiddenSize => _recurrentWeights.RowCount;

    /// <summary>O. NumPy twin: <c>output_size</c>.</summary>
    public int OutputSize => _outputWeights.ColumnCount;

    /// <summary>The current state, 1×H (NumPy <c>h</c>); getting copies, setting checks and copies in.</summary>
    /// <exception cref="ArgumentNullException">The value set is null.</exception>
    /// <exception cref="ShapeMismatchException">The value set is not 1×H.</exception>
    /// <exception cref="NonFiniteValueException">The value set holds NaN or ±Infinity.</exception>
    public Matrix<double> State
    {
        get => _state.Clone();
        set
        {
            Guard.HasShape(value, 1, HiddenSize, nameof(State));
            Guard.IsFinite(value, nameof(State));
            for (int j = 0; j < _stateData.Length; j++)
            {
                _stateData[j] = value.At(0, j);
            }
        }
    }

    /// <summary>A copy of the initial state, 1×H (NumPy <c>h0</c>).</summary>
    public Matrix<double> InitialState => _initialState.Clone();

    /// <summary>A copy of the input weights, I×3H = <c>W_ihᵀ</c>.</summary>
    public Matrix<double> InputWeights => _inputWeights.Clone();

    /// <summary>A copy of the recurrent weights, H×3H = <c>W_hhᵀ</c>.</summary>
    public Matrix<double> RecurrentWeights => _recurrentWeights.Clone();

    /// <summary>A copy of the output weights, H×O = <c>W_hyᵀ</c>.</summary>
    public Matrix<double> OutputWeights => _outputWeights.Clone();

    /// <summary>A copy of the input bias, 1×3H (NumPy <c>b_ih</c>), or null.</summary>
    public Matrix<double>? InputBias => _inputBias?.Clone();

    /// <summary>A copy of the recurrent bias, 1×3H (NumPy <c>b_hh</c>), or null.</summary>
    public Matrix<double>? RecurrentBias => _recurrentBias?.Clone();

    /// <summary>A copy of the output bias, 1×O (NumPy <c>b_y</c>), or null.</summary>
    public Matrix<double>? OutputBias => _outputBias?.Clone();

    /// <summary>Advances one timestep and returns the output. NumPy twin: <c>GRU.step(x)</c>.</summary>
    /// <param name="input">1×I.</param>
    /// <returns>1×O.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="input"/> is not 1×I.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="input"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">The new state (checked first) or the output is not finite; the state is unchanged.</exception>
    public Matrix<double> TimeStep(Matrix<double> input)
    {
        Guard.HasShape(input, 1, InputSize, nameof(input));
        Guard.IsFinite(input, nameof(input));
        int h = HiddenSize;
        Span<double> scratch = _scratch;
        Span<double> next = scratch.Slice(9 * h, h);
        Step(_layer, _stateData, ColumnMajor.ReadOnly(input), scratch[..(3 * h)], scratch.Slice(3 * h, 3 * h),
             scratch.Slice(6 * h, h), scratch.Slice(7 * h, h), scratch.Slice(8 * h, h), next);
        Matrix<double> output = Matrix<double>.Build.Dense(1, OutputSize);
        double[] y = ColumnMajor.Storage(output);
        Output(next, y);
        if (CheckResults)
        {
            FiniteResults.RefuseStep(next, "state");
            FiniteResults.RefuseStep(y, "output");
        }

        next.CopyTo(_stateData);
        return output;
    }

    /// <summary>
    /// Runs a sequence from the current state; the state ends at the last timestep's. NumPy twin:
    /// <c>GRU.forward(xs)</c>. Allocates the two results and one scratch array per call, nothing per timestep.
    /// </summary>
    /// <param name="inputs">T×I; T may be 0.</param>
    /// <returns>Outputs T×O and States T×H (row t: after timestep t).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">A state or output is not finite (the first such timestep is named); the state is unchanged.</exception>
    public (Matrix<double> Outputs, Matrix<double> States) Forward(Matrix<double> inputs)
    {
        Guard.HasShape(inputs, -1, InputSize, nameof(inputs));
        Guard.IsFiniteByRows(inputs, nameof(inputs));
        return ForwardFrom(_stateData, inputs, _stateData, null);
    }

    /// <summary>Puts the state back to the initial state. NumPy twin: <c>GRU.reset()</c>.</summary>
    public void Reset() => ColumnMajor.Storage(_initialState).CopyTo(_stateData, 0);

    private static void CheckBiasShape(Matrix<double>? bias, int columns, string name)
    {
        if (bias is not null)
        {
            Guard.HasShape(bias, 1, columns, name);
        }
    }

    private static Matrix<double> Dense(Matrix<double> m) => Matrix<double>.Build.DenseOfMatrix(m);
}
