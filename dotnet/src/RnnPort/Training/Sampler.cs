using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Sampling from a character model with injected random draws. NumPy twin: <c>rnnport.training.sampling</c>.
/// The draws are uniforms in [0, 1) supplied by the caller: given the same uniforms, C# and NumPy
/// pick the same indices (up to the rounding of the probabilities), which is how generation is
/// compared across languages.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// The inverse-CDF choice: the first index i with <c>u &lt; p_0 + … + p_i</c>, the running sum taken
    /// left to right; if rounding leaves the total ≤ u, the last index with <c>p_i &gt; 0</c>.
    /// NumPy twin: <c>pick(p, u)</c>.
    /// </summary>
    /// <param name="probabilities">O non-negative probabilities summing to 1 (up to rounding).</param>
    /// <param name="u">A uniform draw in [0, 1).</param>
    /// <returns>The chosen index in [0, O).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="probabilities"/> is null.</exception>
    /// <exception cref="ArgumentException">No probability is &gt; 0 (including an empty list), so nothing can be picked.</exception>
    public static int Pick(IReadOnlyList<double> probabilities, double u)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        double cumulative = 0.0;
        for (int i = 0; i < probabilities.Count; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        for (int i = probabilities.Count - 1; i >= 0; i--)
        {
            if (probabilities[i] > 0.0)
            {
                return i;
            }
        }

        throw new ArgumentException("no probability is > 0: nothing to pick", nameof(probabilities));
    }

    /// <summary>
    /// Generates one index per uniform, feeding each pick back in as the next one-hot input. Starts
    /// from <paramref name="state"/> (default: the model's current state) with the one-hot of
    /// <paramref name="seedIndex"/> as the first input: for each uniform u, <c>y = TimeStep(x)</c>,
    /// <c>p = Softmax(y, temperature)</c>, <c>index = Pick(p, u)</c>, <c>x = onehot(index)</c>.
    /// Leaves the model's state as it was. NumPy twin: <c>sample(model, seed_index, uniforms, temperature, h)</c>.
    /// </summary>
    /// <param name="model">A character model of any cell (<see cref="RNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>): I = O. An LSTM starts from its current cell state, and its cell state is restored too.</param>
    /// <param name="seedIndex">The first input's index, in [0, I).</param>
    /// <param name="uniforms">N draws in [0, 1); N may be 0.</param>
    /// <param name="temperature">Finite and &gt; 0; lower is greedier.</param>
    /// <param name="state">1×H, the state to start from; the model's current state when null.</param>
    /// <returns>The N picked indices.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="uniforms"/> is null.</exception>
    /// <exception cref="ArgumentException">I ≠ O.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="seedIndex"/> is outside [0, I), <paramref name="temperature"/> is not finite and &gt; 0,
    /// or a uniform is outside [0, 1).
    /// </exception>
    /// <exception cref="ShapeMismatchException"><paramref name="state"/> is not 1×H.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="state"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">
    /// A step is not finite, or the temperature is so small that some <c>y / temperature</c> of a draw is not
    /// (<see cref="Loss.Softmax"/>); the model's state is restored either way.
    /// </exception>
    public static IReadOnlyList<int> Sample(
        IRecurrentCell model, int seedIndex, IReadOnlyList<double> uniforms, double temperature = 1.0, Matrix<double>? state = null)
    {
        // Checks in the NumPy twin's order, all before the state moves.
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputSize != model.OutputSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"sampling feeds outputs back as inputs: needs I == O, got I={model.InputSize}, O={model.OutputSize}"),
                nameof(model));
        }

        if (seedIndex < 0 || seedIndex >= model.InputSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(seedIndex), seedIndex, string.Create(CultureInfo.InvariantCulture, $"seed index {seedIndex} is outside the vocabulary [0, {model.InputSize})"));
        }

        Loss.CheckTemperature(temperature, nameof(temperature));
        ArgumentNullException.ThrowIfNull(uniforms);
        for (int n = 0; n < uniforms.Count; n++)
        {
            if (!(uniforms[n] >= 0.0 && uniforms[n] < 1.0))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(uniforms), string.Create(CultureInfo.InvariantCulture, $"uniforms must lie in [0, 1), but uniforms[{n}] is {uniforms[n]}"));
            }
        }

        Action restore = model.Snapshot();
        if (state is not null)
        {
            model.State = state;  // checked by the setter
        }

        var picks = new List<int>(uniforms.Count);
        try
        {
            var input = Matrix<double>.Build.Dense(1, model.InputSize);
            int index = seedIndex;
            for (int draw = 0; draw < uniforms.Count; draw++)
            {
                double u = uniforms[draw];
                input.Clear();
                input.At(0, index, 1.0);
                double[] probabilities = Loss.SoftmaxUnchecked(model.TimeStep(input), temperature, draw).Row(0).ToArray();
                index = Pick(probabilities, u);
                picks.Add(index);
            }
        }
        finally
        {
            restore();
        }

        return picks;
    }
}
