using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Softmax and summed softmax cross-entropy over a sequence, computed stably. NumPy twin:
/// <c>rnnport.numerics.loss</c>. Rows are timesteps (T×O here, (T, O) there: outputs have the same layout in
/// both conventions). Every sum runs sequentially, index ascending, so results are reproducible.
/// </summary>
public static class Loss
{
    /// <summary>
    /// Row-wise probabilities <c>exp(z − max z) / Σ exp(z − max z)</c> with <c>z = scores / temperature</c>.
    /// Subtracting the row's maximum keeps every exponent ≤ 0, so nothing overflows. NumPy twin:
    /// <c>softmax(y, temperature)</c>.
    /// </summary>
    /// <param name="scores">T×O (or 1×O) scores, one distribution per row; O ≥ 1.</param>
    /// <param name="temperature">
    /// Divides the scores first, finite and &gt; 0; lower is greedier. At exactly 1.0 the division is
    /// skipped, as on the NumPy side.
    /// </param>
    /// <returns>A new T×O matrix whose rows sum to 1 (up to rounding).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="scores"/> has no columns.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not finite and &gt; 0.</exception>
    /// <exception cref="NonFiniteResultException">
    /// Some <c>score / temperature</c> is not finite (a temperature such as 5e-324 overflows it); the
    /// message names the first, row by row. With every quotient finite the largest term is exp(0) = 1, so
    /// the denominator lies in [1, O]; the rule reads only the quotients, one IEEE division each, so both
    /// languages give the same verdict for the same scores.
    /// </exception>
    public static Matrix<double> Softmax(Matrix<double> scores, double temperature = 1.0)
    {
        Guard.NotNull(scores, nameof(scores));
        if (scores.ColumnCount == 0)
        {
            throw new ArgumentException("softmax needs at least one column (O ≥ 1)", nameof(scores));
        }

        CheckTemperature(temperature, nameof(temperature));
        return SoftmaxUnchecked(scores, temperature, -1);
    }

    /// <summary>
    /// <see cref="Softmax"/> on checked arguments. A refusal names the element as (t, k), or, for a
    /// <paramref name="draw"/> ≥ 0 of <see cref="Sampler.Sample"/>, as <c>sample: at draw n, y / temperature</c>
    /// and k alone (NumPy's y is a vector there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Matrix<double> SoftmaxUnchecked(Matrix<double> scores, double temperature, int draw)
    {
        int rows = scores.RowCount, columns = scores.ColumnCount;
        var probabilities = Matrix<double>.Build.Dense(rows, columns);
        var e = new double[columns];
        for (int t = 0; t < rows; t++)
        {
            // Explicit division, not MathNet's Divide(scalar): that multiplies by the reciprocal,
            // which rounds differently from NumPy's y / temperature.
            for (int k = 0; k < columns; k++)
            {
                e[k] = temperature == 1.0 ? scores.At(t, k) : scores.At(t, k) / temperature;
                if (!double.IsFinite(e[k]))
                {
                    throw new NonFiniteResultException(draw >= 0
                        ? string.Create(CultureInfo.InvariantCulture, $"sample: at draw {draw}, y / temperature is not finite (element {k} is {FiniteResults.Value(e[k])})")
                        : string.Create(CultureInfo.InvariantCulture, $"softmax: scores / temperature is not finite (element ({t}, {k}) is {FiniteResults.Value(e[k])})"));
                }
            }

            double max = e[0];
            for (int k = 1; k < columns; k++)
            {
                max = Math.Max(max, e[k]);
            }

            double sum = 0.0;
            for (int k = 0; k < columns; k++)
            {
                e[k] = Math.Exp(e[k] - max);
                sum += e[k];
            }

            for (int k = 0; k < columns; k++)
            {
                probabilities.At(t, k, e[k] / sum);
            }
        }

        return probabilities;
    }

    /// <summary>
    /// The summed softmax cross-entropy <c>Σ_t −log softmax(outputs_t)[targets_t]</c>, as min-char-rnn
    /// sums it. Each term is <c>log Σ_k exp(y_tk − m_t) − (y_t[target] − m_t)</c> with <c>m_t = max_k y_tk</c>,
    /// so it never takes the log of an underflowed probability. NumPy twin: <c>cross_entropy(ys, targets)</c>.
    /// </summary>
    /// <param name="outputs">T×O scores, one row per timestep (NumPy's <c>ys</c>, (T, O)).</param>
    /// <param name="targets">T class indices in [0, O).</param>
    /// <returns>The summed loss over t = 0 … T−1.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="targets"/> does not hold T indices.</exception>
    /// <exception cref="ArgumentException">T = 0 (no step to score).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target lies outside [0, O); the message names the step.</exception>
    /// <exception cref="NonFiniteResultException">
    /// The loss is not finite (finite scores 2e308 apart make a term overflow): the message names the first
    /// step whose term is not finite, or says that the sum of finite terms overflowed.
    /// </exception>
    public static double CrossEntropy(Matrix<double> outputs, IReadOnlyList<int> targets)
    {
        Guard.NotNull(outputs, nameof(outputs));
        CheckTargets(targets, outputs.RowCount, outputs.ColumnCount);
        return CrossEntropyUnchecked(outputs, targets);
    }

    /// <summary>
    /// Checks <paramref name="targets"/> for T = <paramref name="steps"/> and O = <paramref name="classes"/>,
    /// in the NumPy twin's order (<c>check_targets</c>): the length first, then T ≥ 1, then the range.
    /// </summary>
    internal static void CheckTargets(IReadOnlyList<int>? targets, int steps, int classes)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count != steps)
        {
            // A list has one axis: its shape is written as NumPy writes a 1-D shape, (n,).
            throw new ShapeMismatchException(nameof(targets), $"({steps},)", $"({targets.Count},)");
        }

        if (steps == 0)
        {
            throw new ArgumentException("the loss needs a sequence of at least one step, got T=0", nameof(targets));
        }

        for (int t = 0; t < steps; t++)
        {
            int target = targets[t];
            if (target < 0 || target >= classes)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(targets),
                    string.Create(CultureInfo.InvariantCulture, $"targets[{t}] = {target} is outside the vocabulary [0, {classes})"));
            }
        }
    }

    /// <summary>Rejects a temperature that is not finite and &gt; 0 (NaN included).</summary>
    internal static void CheckTemperature(double temperature, string name)
    {
        if (!(double.IsFinite(temperature) && temperature > 0.0))
        {
            throw new ArgumentOutOfRangeException(
                name, temperature, string.Create(CultureInfo.InvariantCulture, $"temperature must be finite and > 0, got {temperature}"));
        }
    }

    /// <summary><see cref="CrossEntropy"/> for targets already checked; refuses a loss that is not finite.</summary>
    internal static double CrossEntropyUnchecked(Matrix<double> outputs, IReadOnlyList<int> targets)
    {
        double total = 0.0;
        for (int t = 0; t < outputs.RowCount; t++)
        {
            total += Term(outputs, targets, t);
        }

        if (!double.IsFinite(total))
        {
            for (int t = 0; t < outputs.RowCount; t++)
            {
                double term = Term(outputs, targets, t);
                if (!double.IsFinite(term))
                {
                    throw new NonFiniteResultException(
                        string.Create(CultureInfo.InvariantCulture, $"loss: the term at step {t} is not finite ({FiniteResults.Value(term)})"));
                }
            }

            throw new NonFiniteResultException($"loss: the sum over steps is not finite ({FiniteResults.Value(total)})");
        }

        return total;
    }

    /// <summary>The loss term of step t: <c>log Σ_k exp(y_tk − m_t) − (y_t[target] − m_t)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Term(Matrix<double> outputs, IReadOnlyList<int> targets, int t)
    {
        int columns = outputs.ColumnCount;
        double max = outputs.At(t, 0);
        for (int k = 1; k < columns; k++)
        {
            max = Math.Max(max, outputs.At(t, k));
        }

        double sum = 0.0;
        for (int k = 0; k < columns; k++)
        {
            sum += Math.Exp(outputs.At(t, k) - max);
        }

        return Math.Log(sum) - (outputs.At(t, targets[t]) - max);
    }
}
