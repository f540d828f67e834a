using System.Runtime.CompilerServices;
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
public sealed partial class RNN
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


    /// <summary>
    /// Advances the network by one timestep, as the article's <c>TimeStep</c>:
    /// <c>state = f(state·recurrentWeights + input·inputWeights)</c>, then returns <c>state·outputWeights</c>
    /// (with the biases, when on, added last to each). NumPy twin: <c>RNN.step(x)</c>.
    /// </summary>
    /// <remarks>
    /// Every number is the one the article's MathNet expression gives, bit for bit (docs/exact-mode.md);
    /// with the default <see cref="Kernel.Sequential"/> the products are summed on the matrices' storage
    /// instead of through MathNet's operators, so the only allocation is the returned 1×O matrix (and,
    /// for an input that is not a dense matrix, a dense copy of it), and the state is updated in place.
    /// <see cref="Kernel.MathNet"/> runs the article's expression itself.
    /// </remarks>
    /// <param name="input">1×I, one input row (NumPy's <c>x</c>, shape (I,)).</param>
    /// <returns>1×O, the output for this timestep (NumPy's <c>y</c>, shape (O,)).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="input"/> is not 1×I.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="input"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">The new state (checked first) or the output is not finite; the state is unchanged.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Matrix<double> TimeStep(Matrix<double> input)
    {
        Guard.HasShape(input, 1, InputSize, nameof(input));
        Guard.IsFinite(input, nameof(input));
        if (_kernel == Kernel.MathNet)
        {
            Matrix<double> next = Activate(AddHiddenBias(_state.Multiply(_recurrentWeights) + input.Multiply(_inputWeights)));
            Matrix<double> result = Output(next);
            RefuseNonFiniteStep(ColumnMajor.ReadOnly(next), ColumnMajor.ReadOnly(result));
            _state = next;  // only once the step is known to be finite
            return result;
        }

        Matrix<double> output = Matrix<double>.Build.Dense(1, OutputSize);
        StepUnchecked(ColumnMajor.ReadOnly(input), ColumnMajor.Storage(output));
        return output;
    }

    /// <summary>
    /// <see cref="TimeStep(Matrix{double})"/> on spans, for the bridge's one-call-per-step path: the
    /// same checks in the same order with the same messages (the input is named <c>input</c> and
    /// described as 1×n), the same bits, and no allocation with the default kernel. A rejected call
    /// leaves the state unchanged.
    /// </summary>
    /// <param name="input">I values, one input row.</param>
    /// <param name="output">O values; receives the output row.</param>
    /// <exception cref="ShapeMismatchException">The input does not hold I values, or the output does not hold O.</exception>
    /// <exception cref="NonFiniteValueException">The input holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">The new state or the output is not finite; the state is unchanged.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void TimeStepInto(ReadOnlySpan<double> input, Span<double> output)
    {
        if (input.Length != InputSize)
        {
            throw new ShapeMismatchException(nameof(input), 1, "T", InputSize, 1, input.Length);
        }

        for (int c = 0; c < input.Length; c++)
        {
            if (!double.IsFinite(input[c]))
            {
                throw new NonFiniteValueException(nameof(input), 0, c, input[c]);
            }
        }

        if (output.Length != OutputSize)
        {
            throw new ShapeMismatchException(nameof(output), 1, "T", OutputSize, 1, output.Length);
        }

        if (_kernel == Kernel.MathNet)
        {
            Matrix<double> result = TimeStep(Matrix<double>.Build.Dense(1, input.Length, input.ToArray()));
            ColumnMajor.Storage(result).AsSpan(0, output.Length).CopyTo(output);
            return;
        }

        StepUnchecked(input, output);
    }

    /// <summary>
    /// The fast path of one timestep on checked arguments: the new state into scratch, then the output,
    /// then, once both are known to be finite, the state.
    /// </summary>
    private void StepUnchecked(ReadOnlySpan<double> input, Span<double> output)
    {
        double[] state = ColumnMajor.Storage(_state), next = _stepRecurrent;  // Step may write next over its own scratch
        Step(state, input, _stepRecurrent, _stepInput, next);
        Output(next, output);
        RefuseNonFiniteStep(next, output);
        next.CopyTo(state, 0);
    }

    /// <summary>
    /// Runs the network over a whole sequence from the current state, one row per timestep, and leaves
    /// the state at the last timestep's. Row t of the results equals what the t-th call of
    /// <see cref="TimeStep"/> would return. NumPy twin: <c>RNN.forward(xs)</c>.
    /// </summary>
    /// <remarks>
    /// With the default <see cref="Kernel.Sequential"/> (and with <see cref="Kernel.Simd"/>) it allocates
    /// the two result matrices and one scratch array of I + 3H + O doubles per call; nothing per timestep.
    /// </remarks>
    /// <param name="inputs">T×I, one input row per timestep; T may be 0.</param>
    /// <returns>Outputs, T×O, and States, T×H: row t holds the output and the state after timestep t.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">
    /// A state or an output is not finite; the message names the first such timestep (its state checked
    /// before its output), and the state is unchanged.
    /// </exception>
    public (Matrix<double> Outputs, Matrix<double> States) Forward(Matrix<double> inputs)
    {
        Guard.HasShape(inputs, -1, InputSize, nameof(inputs));
        Guard.IsFiniteByRows(inputs, nameof(inputs));
        if (_kernel == Kernel.MathNet)
        {
            (Matrix<double> outputs, Matrix<double> states) = ForwardFromWithOperators(_state, inputs);
            if (states.RowCount > 0)
            {
                _state = states.SubMatrix(states.RowCount - 1, 1, 0, HiddenSize);
            }

            return (outputs, states);
        }

        double[] state = ColumnMajor.Storage(_state);
        return ForwardFrom(state, inputs, state);
    }

    /// <summary>Puts the state back to the initial state. NumPy twin: <c>RNN.reset()</c>.</summary>
    public void Reset() => ColumnMajor.Storage(_initialState).CopyTo(ColumnMajor.Storage(_state), 0);
}
