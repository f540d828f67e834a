using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The forward pass as callers see it: <see cref="TimeStep"/>, <see cref="Forward"/> and <see cref="Reset"/>,
/// each checking its arguments before it touches the state, then computing with the kernels of RNN.Compute.cs.
/// </summary>
public sealed partial class RNN
{
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
    /// the two result matrices, one scratch array of 16·(I + 2H + O) + H doubles (a block of 16 timesteps) and the last state per call; nothing per timestep.
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
