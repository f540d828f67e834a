using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// What <see cref="RecurrentStack.Forward"/> returns. NumPy twin: the tuple <c>(ys, h_n, c_n)</c>.
/// </summary>
/// <param name="Outputs">T×O: y_t (NumPy <c>ys</c>).</param>
/// <param name="FinalStates">(L·D)×H (NumPy <c>h_n</c>), row k·D + d.</param>
/// <param name="FinalCellStates">(L·D)×H (NumPy <c>c_n</c>), or null for the RNN and the GRU.</param>
public sealed record StackOutput(Matrix<double> Outputs, Matrix<double> FinalStates, Matrix<double>? FinalCellStates);

/// <summary>The public ways to run a stack: <c>Forward</c>, <c>TimeStep</c>, <c>LayerOutputs</c>.</summary>
public sealed partial class RecurrentStack
{
    /// <summary>The message of <see cref="TimeStep"/> on a bidirectional stack (NumPy twin: <c>BIDIRECTIONAL_STEP</c>).</summary>
    public const string BidirectionalStep = "step: a bidirectional stack runs whole sequences only; use forward";

    /// <summary>
    /// Runs a sequence from the current states, which end at the final ones, as <c>out, h = rnn(x, h)</c> in torch.
    /// NumPy twin: <c>RecurrentStack.forward(xs)</c>. Allocates the per-call buffers once; nothing per timestep.
    /// </summary>
    /// <param name="inputs">T×I, T ≥ 0 (NumPy <c>xs</c>, same layout).</param>
    /// <returns>The outputs T×O and the final states (and cell states), (L·D)×H.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">A state, cell state or output is not finite (the first step is named); the state is unchanged.</exception>
    public StackOutput Forward(Matrix<double> inputs)
    {
        StackRun run = Checked(inputs, "forward");
        Commit(run);
        return new StackOutput(
            Matrix<double>.Build.DenseOfRowMajor(run.Steps, OutputSize, run.Outputs),
            States(run.FinalStates),
            run.FinalCellStates is null ? null : States(run.FinalCellStates));
    }

    /// <summary>
    /// One timestep of a unidirectional stack; the states advance. NumPy twin: <c>RecurrentStack.step(x)</c>.
    /// </summary>
    /// <param name="input">1×I.</param>
    /// <returns>1×O.</returns>
    /// <exception cref="InvalidOperationException">The stack is bidirectional (<see cref="BidirectionalStep"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="input"/> is not 1×I.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="input"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">A state or the output is not finite; the state is unchanged.</exception>
    public Matrix<double> TimeStep(Matrix<double> input)
    {
        if (Bidirectional)
        {
            throw new InvalidOperationException(BidirectionalStep);
        }

        Guard.HasShape(input, 1, InputSize, nameof(input));
        Guard.IsFinite(input, nameof(input));
        StackRun run = Run(input.ToRowMajorArray(), 1, _states, _cellStates, tape: false);
        RefuseNonFinite(run, "step");
        Commit(run);
        return Matrix<double>.Build.Dense(1, OutputSize, run.Outputs);
    }

    /// <summary>
    /// The L matrices T×D·H that each layer passes up (row t: <c>[h_forward_t | h_reverse_t]</c>), from the current
    /// states; changes nothing. NumPy twin: <c>RecurrentStack.layer_outputs(xs)</c>.
    /// </summary>
    /// <param name="inputs">T×I.</param>
    /// <returns>L matrices, layer 0 first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">A state, cell state or output is not finite.</exception>
    public IReadOnlyList<Matrix<double>> LayerOutputs(Matrix<double> inputs)
    {
        StackRun run = Checked(inputs, "layer_outputs");
        int width = Directions * HiddenSize;
        return run.LayerOutputs.Select(o => Matrix<double>.Build.DenseOfRowMajor(run.Steps, width, o)).ToList();
    }

    /// <summary>The checks of a sequence, then the pass from the current states, refused when not finite.</summary>
    private StackRun Checked(Matrix<double> inputs, string operation)
    {
        Guard.HasShape(inputs, -1, InputSize, nameof(inputs));
        Guard.IsFiniteByRows(inputs, nameof(inputs));
        StackRun run = Run(inputs.ToRowMajorArray(), inputs.RowCount, _states, _cellStates, tape: false);
        RefuseNonFinite(run, operation);
        return run;
    }

    private void Commit(StackRun run)
    {
        run.FinalStates.CopyTo(_states, 0);
        run.FinalCellStates?.CopyTo(_cellStates!, 0);
    }

    private Matrix<double> States(double[] values) =>
        Matrix<double>.Build.DenseOfRowMajor(NumLayers * Directions, HiddenSize, values);
}
