using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>Plain gradient descent, <c>p ← p − learningRate·g</c>. NumPy twin: <c>rnnport.training.optimizers.SGD</c>.</summary>
public sealed class Sgd : IOptimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <param name="learningRate">The step size, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not finite and &gt; 0.</exception>
    public Sgd(double learningRate)
    {
        LearningRate = CheckLearningRate(learningRate);
    }

    /// <summary>The step size (NumPy <c>learning_rate</c>).</summary>
    public double LearningRate { get; }

    /// <summary>
    /// Whether <see cref="Step"/> refuses an update that is not finite (docs/bad-input.md). Off only in the
    /// tests that show the check is needed. NumPy twin: <c>SGD._check_results</c>.
    /// </summary>
    internal bool CheckResults { get; set; } = true;

    /// <inheritdoc/>
    /// <exception cref="NonFiniteResultException">
    /// Some updated parameter is not finite, checked in the order of the model's parameters; nothing is written.
    /// </exception>
    public void Step(ITrainable model, IParameterGradients gradients)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(gradients);
        (string Name, double[] Values)[] updates = Updates(Gradients.Pair(model, gradients));
        model.ApplyUpdate(updates);  // every update is finite: only now is anything written
    }

    /// <summary>The new values of any cell's (name, parameter, gradient) triples, each checked finite; nothing written.</summary>
    private (string Name, double[] Values)[] Updates(IReadOnlyList<(string Name, Matrix<double> Parameter, Matrix<double> Gradient)> pairs)
    {
        var updates = new (string Name, double[] Values)[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            (string name, Matrix<double> parameter, Matrix<double> gradient) = pairs[i];
            double[] p = ColumnMajor.Storage(parameter);  // the model's parameters are dense: no copy
            double[] next = new double[p.Length];
            for (int c = 0, n = 0; c < gradient.ColumnCount; c++)
            {
                for (int r = 0; r < gradient.RowCount; r++, n++)
                {
                    next[n] = p[n] - LearningRate * gradient.At(r, c);  // the bits of p[n] -= rate·g
                }
            }

            if (CheckResults)
            {
                FiniteResults.Refuse(next, parameter.RowCount, "sgd: the update", name);
            }

            updates[i] = (name, next);
        }

        return updates;
    }

    /// <summary>NumPy twin: <c>optim._check_rate</c>. Returns the rate when it is finite and &gt; 0.</summary>
    internal static double CheckLearningRate(double learningRate)
    {
        if (!(double.IsFinite(learningRate) && learningRate > 0.0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(learningRate),
                learningRate,
                string.Create(CultureInfo.InvariantCulture, $"learning_rate must be finite and > 0, got {learningRate}"));
        }

        return learningRate;
    }
}
