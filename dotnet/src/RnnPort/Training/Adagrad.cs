using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Adagrad as in min-char-rnn, element by element: <c>m ← m + g·g</c>, then
/// <c>p ← p − (learningRate·g) / sqrt(m + epsilon)</c>, in that operation order, which is the order in
/// which NumPy evaluates the twin's <c>param -= learning_rate * g / np.sqrt(m + eps)</c>.
/// NumPy twin: <c>rnnport.training.optimizers.Adagrad</c>. The memory holds one matrix per parameter, in the
/// parameter's row-convention shape, created as zeros at the first step that sees the parameter.
/// </summary>
public sealed class Adagrad : IOptimizer
{
    private readonly Dictionary<string, Matrix<double>> _memory = new(StringComparer.Ordinal);

    /// <summary>Creates the optimiser with empty memory.</summary>
    /// <param name="learningRate">The step size, finite and &gt; 0.</param>
    /// <param name="epsilon">Added under the square root, finite and &gt; 0 (NumPy <c>eps</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is not finite and &gt; 0.</exception>
    public Adagrad(double learningRate, double epsilon = 1e-8)
    {
        LearningRate = Sgd.CheckLearningRate(learningRate);
        if (!(double.IsFinite(epsilon) && epsilon > 0.0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(epsilon), epsilon, string.Create(CultureInfo.InvariantCulture, $"eps must be finite and > 0, got {epsilon}"));
        }

        Epsilon = epsilon;
    }

    /// <summary>The step size (NumPy <c>learning_rate</c>).</summary>
    public double LearningRate { get; }

    /// <summary>The constant under the square root (NumPy <c>eps</c>).</summary>
    public double Epsilon { get; }

    /// <summary>
    /// Copies of the accumulated squared gradients by parameter name (see <see cref="ParameterNames"/>),
    /// each the shape of its parameter; empty before the first step. NumPy twin: <c>memory</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Matrix<double>> Memory =>
        _memory.ToDictionary(entry => entry.Key, entry => entry.Value.Clone(), StringComparer.Ordinal);

    /// <summary>
    /// Whether <see cref="Step"/> refuses a memory or an update that is not finite (docs/bad-input.md). Off
    /// only in the tests that show the check is needed. NumPy twin: <c>Adagrad._check_results</c>.
    /// </summary>
    internal bool CheckResults { get; set; } = true;

    /// <inheritdoc/>
    /// <exception cref="NonFiniteResultException">
    /// Some new memory (g² overflows) or updated parameter is not finite, checked parameter by parameter in
    /// the order of the model's parameters, memory first; neither the parameters nor the memory change.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// Also when the memory from an earlier step has another shape than the parameter now (the optimiser
    /// was used with a different model).
    /// </exception>
    public void Step(ITrainable model, IParameterGradients gradients)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(gradients);
        model.ApplyUpdate(Updates(Gradients.Pair(model, gradients)));
    }

    /// <summary>
    /// The new values of any cell's (name, parameter, gradient) triples, every memory and value checked finite,
    /// then the memory written; the caller writes the parameters.
    /// </summary>
    private (string Name, double[] Values)[] Updates(IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> pairs)
    {
        foreach ((string name, Matrix<double> parameter, _) in pairs)
        {
            // Checked up front too: the NumPy twin would fail half-way through its update here.
            if (_memory.TryGetValue(name, out Matrix<double>? memory)
                && (memory.RowCount != parameter.RowCount || memory.ColumnCount != parameter.ColumnCount))
            {
                throw new ArgumentException(
                    $"the Adagrad memory of {name} is {Guard.Shape(memory)} but the parameter is {Guard.Shape(parameter)}: " +
                    "this optimiser was used with a different model",
                    "model");
            }
        }

        var memories = new double[pairs.Count][];
        var updates = new (string Name, double[] Values)[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            (string name, Matrix<double> parameter, Matrix<double> gradient) = pairs[i];
            double[] p = ColumnMajor.Storage(parameter);  // the model's parameters are dense: no copy
            double[] m = memories[i] = _memory.TryGetValue(name, out Matrix<double>? memory)
                ? (double[])ColumnMajor.Storage(memory).Clone()
                : new double[p.Length];
            double[] next = new double[p.Length];
            for (int c = 0, n = 0; c < gradient.ColumnCount; c++)
            {
                for (int r = 0; r < gradient.RowCount; r++, n++)
                {
                    double g = gradient.At(r, c);
                    m[n] += g * g;
                    next[n] = p[n] - LearningRate * g / Math.Sqrt(m[n] + Epsilon);  // the bits of p[n] -= …
                }
            }

            if (CheckResults)
            {
                FiniteResults.Refuse(m, parameter.RowCount, "adagrad: the memory", name);
                FiniteResults.Refuse(next, parameter.RowCount, "adagrad: the update", name);
            }

            updates[i] = (name, next);
        }

        // Every memory and update is finite: only now is anything written.
        for (int i = 0; i < pairs.Count; i++)
        {
            (string name, Matrix<double> parameter, _) = pairs[i];
            if (_memory.TryGetValue(name, out Matrix<double>? memory))
            {
                memories[i].CopyTo(ColumnMajor.Storage(memory), 0);
            }
            else
            {
                _memory.Add(name, Matrix<double>.Build.Dense(parameter.RowCount, parameter.ColumnCount, memories[i]));
            }
        }

        return updates;
    }
}
