using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The seed article's vanilla RNN, in the article's row-vector convention:
/// <code>
/// state  = f(state·recurrentWeights + input·inputWeights)    (1×H)
/// output = state·outputWeights                               (1×O)
/// </code>
/// With the optional biases on, <c>state = f((state·recurrentWeights + input·inputWeights) + hiddenBias)</c>
/// and <c>output = state·outputWeights + outputBias</c>: the bias is added last, after the sum of the two
/// products, in the same order as the NumPy twin's <c>(W_hh @ h + W_xh @ x) + b_h</c>.
/// The NumPy twin <c>rnnport.RNN</c> uses column vectors, <c>h = f(W_hh·h + W_xh·x)</c>, so every
/// weight here is the transpose of its NumPy twin: <c>inputWeights = W_xhᵀ</c> (I×H),
/// <c>recurrentWeights = W_hhᵀ</c> (H×H), <c>outputWeights = W_hyᵀ</c> (H×O), <c>state = hᵀ</c> (1×H),
/// <c>hiddenBias = b_hᵀ</c> (1×H), <c>outputBias = b_yᵀ</c> (1×O).
/// </summary>
/// <remarks>
/// The article's class never initialised <c>_state</c>, so its first <c>TimeStep</c> threw a
/// <see cref="NullReferenceException"/>. Here the state starts at the initial state, zeros by default.
/// Every public method checks its arguments before it touches the state: a rejected call leaves the
/// model exactly as it was. One instance is not thread-safe: do not share it between threads without a
/// lock. Separate instances may be used from separate threads at the same time: they share no mutable
/// state (the one process-wide setting, MathNet's provider, is pinned once under a lock by
/// <see cref="Numerics.UseManagedProvider"/>), and each computes bit for bit what it computes alone.
/// </remarks>
public sealed partial class RNN : IRecurrentCell
{
    private readonly Matrix<double> _inputWeights;      // I×H = W_xhᵀ
    private readonly Matrix<double> _recurrentWeights;  // H×H = W_hhᵀ
    private readonly Matrix<double> _outputWeights;     // H×O = W_hyᵀ
    private readonly Matrix<double>? _hiddenBias;       // 1×H = b_hᵀ, or null when off
    private readonly Matrix<double>? _outputBias;       // 1×O = b_yᵀ, or null when off
    private readonly Matrix<double> _initialState;      // 1×H = h0ᵀ
    private Matrix<double> _state;                      // 1×H = hᵀ; the fast path updates it in place

    // The column-major arrays behind the dense matrices above (element (r, c) at r + c·rows).
    // ApplyUpdate writes the parameters in place through the same arrays, so these never go stale.
    private readonly double[] _inputData;               // I×H: (i, j) at i + j·I
    private readonly double[] _recurrentData;           // H×H: (k, j) at k + j·H
    private readonly double[] _outputData;              // H×O: (j, o) at j + o·H
    private readonly double[]? _hiddenBiasData;         // H
    private readonly double[]? _outputBiasData;         // O

    // Row-major copies of the three weight matrices, in panels of 32/16/8/4 columns
    // (SequentialKernels.Pack: each panel row-major, so a panel's rows are contiguous), for the default
    // kernel, which vectorises across output columns (SequentialKernels.RowTimesPacked). Copies, so they
    // would go stale if a parameter changed in place: every change goes through ApplyUpdate, which
    // rewrites them (PackWeights) before the next forward pass reads them.
    private readonly double[] _inputPacked;           // I×H, packed
    private readonly double[] _recurrentPacked;       // H×H, packed
    private readonly double[] _outputPacked;          // H×O, packed

    // TimeStep's scratch: state·recurrentWeights and input·inputWeights, H each. TimeStep changes the
    // state anyway, so sharing these per instance costs no thread safety that the class had.
    private readonly double[] _stepRecurrent;
    private readonly double[] _stepInput;
    private Kernel _kernel = Kernel.Sequential;

    /// <summary>
    /// Creates the network from weights in the row convention. The matrices are copied into dense
    /// storage. NumPy twin: <c>RNN(W_xh, W_hh, W_hy, h0, activation, b_h=..., b_y=...)</c>.
    /// </summary>
    /// <param name="initialInputWeights">I×H, the transpose of NumPy's <c>W_xh</c> (H, I).</param>
    /// <param name="initialRecurrentWeights">H×H, the transpose of NumPy's <c>W_hh</c> (H, H).</param>
    /// <param name="initialOutputWeights">H×O, the transpose of NumPy's <c>W_hy</c> (O, H).</param>
    /// <param name="initialState">1×H, the transpose of NumPy's <c>h0</c> (H,); zeros when null.</param>
    /// <param name="activation">The nonlinearity f; tanh by default, as in the article.</param>
    /// <param name="hiddenBias">1×H, the transpose of NumPy's <c>b_h</c> (H,); no hidden bias when null (the default).</param>
    /// <param name="outputBias">1×O, the transpose of NumPy's <c>b_y</c> (O,); no output bias when null (the default).</param>
    /// <exception cref="ArgumentNullException">A weight matrix is null.</exception>
    /// <exception cref="ShapeMismatchException">The shapes do not fit together; the message names both shapes.</exception>
    /// <exception cref="NonFiniteValueException">A weight, a bias or the initial state holds NaN or ±Infinity.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not a defined value.</exception>
    public RNN(
        Matrix<double> initialInputWeights,
        Matrix<double> initialRecurrentWeights,
        Matrix<double> initialOutputWeights,
        Matrix<double>? initialState = null,
        Activation activation = Activation.Tanh,
        Matrix<double>? hiddenBias = null,
        Matrix<double>? outputBias = null)
    {
        Numerics.UseManagedProvider();  // the summation order that exact mode reproduces
        Guard.NotNull(initialInputWeights, nameof(initialInputWeights));
        Guard.NotNull(initialRecurrentWeights, nameof(initialRecurrentWeights));
        Guard.NotNull(initialOutputWeights, nameof(initialOutputWeights));
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "expected Activation.Tanh or Activation.Relu");
        }

        // H is read off the recurrent weights, which must be square; the others must agree with it.
        int hidden = initialRecurrentWeights.ColumnCount;  // W_hh.shape[0], where the NumPy twin reads H
        Guard.HasShape(initialRecurrentWeights, hidden, hidden, nameof(initialRecurrentWeights));
        Guard.HasShape(initialInputWeights, -1, hidden, nameof(initialInputWeights), freeRows: "I");
        Guard.HasShape(initialOutputWeights, hidden, initialOutputWeights.ColumnCount, nameof(initialOutputWeights));
        if (initialState is not null)
        {
            Guard.HasShape(initialState, 1, hidden, nameof(initialState));
        }

        if (hiddenBias is not null)
        {
            Guard.HasShape(hiddenBias, 1, hidden, nameof(hiddenBias));
        }

        if (outputBias is not null)
        {
            Guard.HasShape(outputBias, 1, initialOutputWeights.ColumnCount, nameof(outputBias));
        }

        Guard.IsFinite(initialInputWeights, nameof(initialInputWeights));
        Guard.IsFinite(initialRecurrentWeights, nameof(initialRecurrentWeights));
        Guard.IsFinite(initialOutputWeights, nameof(initialOutputWeights));
        if (initialState is not null)
        {
            Guard.IsFinite(initialState, nameof(initialState));
        }

        if (hiddenBias is not null)
        {
            Guard.IsFinite(hiddenBias, nameof(hiddenBias));
        }

        if (outputBias is not null)
        {
            Guard.IsFinite(outputBias, nameof(outputBias));
        }

        // Dense copies (NumPy twin: np.array(..., order="C")): the training code reads and updates
        // the parameters through their column-major arrays, whatever storage the caller passed.
        _inputWeights = Dense(initialInputWeights);
        _recurrentWeights = Dense(initialRecurrentWeights);
        _outputWeights = Dense(initialOutputWeights);
        _hiddenBias = hiddenBias is null ? null : Dense(hiddenBias);
        _outputBias = outputBias is null ? null : Dense(outputBias);
        _initialState = initialState is null ? Matrix<double>.Build.Dense(1, hidden) : Dense(initialState);
        _state = _initialState.Clone();
        Activation = activation;

        _inputData = ColumnMajor.Storage(_inputWeights);
        _recurrentData = ColumnMajor.Storage(_recurrentWeights);
        _outputData = ColumnMajor.Storage(_outputWeights);
        _hiddenBiasData = _hiddenBias is null ? null : ColumnMajor.Storage(_hiddenBias);
        _outputBiasData = _outputBias is null ? null : ColumnMajor.Storage(_outputBias);
        _stepRecurrent = new double[hidden];
        _stepInput = new double[hidden];
        _inputPacked = new double[_inputData.Length];
        _recurrentPacked = new double[_recurrentData.Length];
        _outputPacked = new double[_outputData.Length];
        PackWeights();
    }

    /// <summary>
    /// Brings the packed row-major weight copies up to date with the live parameters: at construction and
    /// at the end of <see cref="ApplyUpdate"/>, the only two places that write the parameters.
    /// </summary>
    private void PackWeights()
    {
        int inputSize = _inputWeights.RowCount, hidden = _recurrentWeights.RowCount, outputSize = _outputWeights.ColumnCount;
        SequentialKernels.Pack(_inputData, inputSize, hidden, _inputPacked);
        SequentialKernels.Pack(_recurrentData, hidden, hidden, _recurrentPacked);
        SequentialKernels.Pack(_outputData, hidden, outputSize, _outputPacked);
    }

    /// <summary>I, the size of one input row. NumPy twin: <c>W_xh.shape[1]</c>.</summary>
    public int InputSize => _inputWeights.RowCount;

    /// <summary>H, the size of the state. NumPy twin: <c>W_hh.shape[0]</c>.</summary>
    public int HiddenSize => _recurrentWeights.RowCount;

    /// <summary>O, the size of one output row. NumPy twin: <c>W_hy.shape[0]</c>.</summary>
    public int OutputSize => _outputWeights.ColumnCount;

    /// <summary>The nonlinearity f.</summary>
    public Activation Activation { get; }

    /// <summary>
    /// How the forward pass computes its products: <see cref="Kernel.Sequential"/> (the default,
    /// allocation-free and bit-identical to MathNet and to the NumPy twin's exact mode),
    /// <see cref="Kernel.MathNet"/> (the article's MathNet operators, the same bits, a new matrix per
    /// operation), or the opt-in, faster <see cref="Kernel.Simd"/>, which rounds differently within a
    /// stated bound.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is not a defined <see cref="RnnPort.Kernel"/>.</exception>
    public Kernel Kernel
    {
        get => _kernel;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Kernel), value, "expected Kernel.Sequential, Kernel.MathNet or Kernel.Simd");
            }

            _kernel = value;
        }
    }

    /// <summary>
    /// The current state, 1×H (NumPy twin: <c>h</c>, shape (H,)). Getting returns a copy; setting
    /// copies the value in, which is how a teacher-forced comparison starts a step from a given state.
    /// </summary>
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
            CopyRowInto(value, ColumnMajor.Storage(_state));
        }
    }

    /// <summary>A copy of the initial state, 1×H (NumPy twin: <c>h0</c>).</summary>
    public Matrix<double> InitialState => _initialState.Clone();

    /// <summary>A copy of the input weights, I×H = <c>W_xhᵀ</c>.</summary>
    public Matrix<double> InputWeights => _inputWeights.Clone();

    /// <summary>A copy of the recurrent weights, H×H = <c>W_hhᵀ</c>.</summary>
    public Matrix<double> RecurrentWeights => _recurrentWeights.Clone();

    /// <summary>A copy of the output weights, H×O = <c>W_hyᵀ</c>.</summary>
    public Matrix<double> OutputWeights => _outputWeights.Clone();

    /// <summary>A copy of the hidden bias, 1×H = <c>b_hᵀ</c> (NumPy: (H,)), or null when the model has none.</summary>
    public Matrix<double>? HiddenBias => _hiddenBias?.Clone();

    /// <summary>A copy of the output bias, 1×O = <c>b_yᵀ</c> (NumPy: (O,)), or null when the model has none.</summary>
    public Matrix<double>? OutputBias => _outputBias?.Clone();
}
