using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>Plain gradient descent, <c>p ← p − learningRate·g</c>. NumPy twin: <c>rnnport.optim.SGD</c>.</summary>
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

    /// <inheritdoc/>
    public void Step(RNN model, Gradients gradients)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(gradients);
        foreach ((_, Matrix<double> parameter, Matrix<double> gradient) in gradients.PairWith(model))
        {
            double[] p = parameter.AsColumnMajorArray()!;  // the model's parameters are dense
            for (int c = 0, n = 0; c < gradient.ColumnCount; c++)
            {
                for (int r = 0; r < gradient.RowCount; r++, n++)
                {
                    p[n] -= LearningRate * gradient.At(r, c);
                }
            }
        }

        model.OnParametersChanged();  // the model's row-major weight copies
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
