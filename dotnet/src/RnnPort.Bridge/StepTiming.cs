using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>
/// Whole loops on the .NET side, for timing the C# model from Python: one bridge crossing per loop
/// instead of one per timestep, so that a Python timer around the call measures the C# work and not
/// pythonnet's per-call overhead. The results are discarded; the model is left in the state after the
/// last timestep.
/// </summary>
public static class StepTiming
{
    /// <summary>
    /// <see cref="IRecurrentCell.Reset"/>, then the article's loop: <see cref="IRecurrentCell.TimeStep"/> on every row of
    /// <paramref name="inputs"/>, in order (any cell: RNN, LSTM, GRU).
    /// </summary>
    /// <remarks>
    /// Before the loop, and so inside a timer around this call, the rows are split once into T dense
    /// 1×I matrices (T·I copies and T small allocations, negligible next to the T·(H² + I·H + H·O)
    /// multiply-adds of the loop). The loop itself then does exactly what a caller of <c>TimeStep</c>
    /// does: one call per row, each returning a new 1×O output.
    /// </remarks>
    /// <param name="model">The network; its state is reset first.</param>
    /// <param name="inputs">T×I, one input row per timestep (T may be 0).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns; nothing is run or reset.</exception>
    /// <exception cref="NonFiniteValueException">An input row holds NaN or ±Infinity (thrown by <c>TimeStep</c> at that row).</exception>
    public static void TimeStepLoop(IRecurrentCell model, Matrix<double> inputs)
    {
        CheckArguments(model, inputs);
        var rows = new Matrix<double>[inputs.RowCount];
        for (int t = 0; t < rows.Length; t++)
        {
            rows[t] = inputs.SubMatrix(t, 1, 0, inputs.ColumnCount);
        }

        model.Reset();
        foreach (Matrix<double> row in rows)
        {
            model.TimeStep(row);
        }
    }

    /// <summary><see cref="RNN.Reset"/>, then <see cref="RNN.Forward"/> over all of <paramref name="inputs"/>.</summary>
    /// <param name="model">The network; its state is reset first.</param>
    /// <param name="inputs">T×I, one input row per timestep (T may be 0).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> does not have I columns; nothing is run or reset.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity (the state is reset, then <c>Forward</c> refuses).</exception>
    public static void Forward(RNN model, Matrix<double> inputs)
    {
        CheckArguments(model, inputs);
        model.Reset();
        model.Forward(inputs);
    }

    /// <summary>
    /// <c>Math.Tanh</c> on every element of <paramref name="values"/>, in place, one element at a time: what the
    /// bit-identical kernels pay per state element (<c>make bench</c>'s batched ceiling divides by it).
    /// </summary>
    /// <param name="values">Any dense matrix; overwritten with the tanh of each element.</param>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> is not dense.</exception>
    public static void TanhLoop(Matrix<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] data = values.AsColumnMajorArray() ?? throw new ArgumentException("expected a dense matrix", nameof(values));
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = Math.Tanh(data[i]);
        }
    }

    private static void CheckArguments(IRecurrentCell model, Matrix<double> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.ColumnCount != model.InputSize)
        {
            throw new ShapeMismatchException(nameof(inputs), null, "T", model.InputSize, inputs.RowCount, inputs.ColumnCount);
        }
    }
}
