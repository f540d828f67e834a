using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Finite-difference check of <see cref="Bptt.Run"/>. NumPy twin: <c>rnnport.training.gradient_check</c>.
/// For each checked element the central difference <c>(L(p + ε) − L(p − ε)) / 2ε</c> is compared with
/// the analytic gradient by the relative error <c>|a − n| / max(|a| + |n|, 1e-8)</c>. With ε = 1e-5 in
/// binary64 the truncation error is O(ε²) ≈ 1e-10 and the cancellation error about 1e-16·L/ε, so a
/// correct gradient scores well under <see cref="Target"/>, and a wrong one (a missing tanh
/// derivative, a transposed product) scores near 1.
/// </summary>
/// <remarks>
/// The elements are drawn with <see cref="System.Random"/> from the given seed, so they are not the
/// elements the NumPy twin (which draws with <c>np.random.default_rng</c>) checks.
/// </remarks>
public static class GradientCheck
{
    /// <summary>The relative error a correct gradient stays under (NumPy <c>TARGET</c>).</summary>
    public const double Target = 1e-6;

    /// <summary>The finite-difference step ε (NumPy <c>eps</c>).</summary>
    public const double Epsilon = 1e-5;

    /// <summary>The smallest denominator of the relative error (NumPy <c>floor</c>).</summary>
    public const double Floor = 1e-8;

    /// <summary>
    /// Computes the analytic gradients with <see cref="Bptt.Run"/> and checks them. NumPy twin:
    /// <c>gradient_check(model, xs, targets, h_prev, samples=samples, seed=seed)</c>.
    /// </summary>
    /// <param name="model">The network; its weights are perturbed in place and restored exactly, its state is untouched.</param>
    /// <param name="inputs">T×I inputs, T ≥ 1.</param>
    /// <param name="targets">T class indices in [0, O).</param>
    /// <param name="initialState">1×H state before step 0; the model's current state when null.</param>
    /// <param name="samples">Elements checked per parameter, ≥ 1 (drawn with replacement).</param>
    /// <param name="seed">Seed of the element draws.</param>
    /// <returns>
    /// The largest relative error per name of <see cref="ParameterNames"/>: InputWeights, RecurrentWeights,
    /// OutputWeights, HiddenBias and OutputBias when the model has them, and InitialState.
    /// </returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is less than 1, or as <see cref="Bptt.Run"/>.</exception>
    /// <exception cref="ArgumentException">As <see cref="Bptt.Run"/> for the inputs, targets and initial state.</exception>
    public static IReadOnlyDictionary<string, double> Run(
        RNN model, Matrix<double> inputs, IReadOnlyList<int> targets, Matrix<double>? initialState = null, int samples = 20, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Gradients analytic = Bptt.Run(model, inputs, targets, initialState).Gradients;
        return Check(model, analytic, inputs, targets, initialState, samples, seed);
    }

    /// <summary>
    /// Checks given analytic gradients (from <see cref="Bptt.Run"/> or from anywhere else) against
    /// central differences of <see cref="Bptt.Run"/>'s loss.
    /// </summary>
    /// <param name="model">The network; its weights are perturbed in place and restored exactly, its state is untouched.</param>
    /// <param name="analytic">The gradients to check: the model's parameters and a 1×H InitialState.</param>
    /// <param name="inputs">T×I inputs, T ≥ 1.</param>
    /// <param name="targets">T class indices in [0, O).</param>
    /// <param name="initialState">1×H state before step 0; the model's current state when null.</param>
    /// <param name="samples">Elements checked per parameter, ≥ 1 (drawn with replacement).</param>
    /// <param name="seed">Seed of the element draws.</param>
    /// <returns>The largest relative error per name, as <see cref="Run"/> returns it.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="analytic"/> is for other biases than the model has.</exception>
    /// <exception cref="ShapeMismatchException">A gradient's shape differs from its parameter's, or as <see cref="Bptt.Run"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is less than 1, or as <see cref="Bptt.Run"/>.</exception>
    public static IReadOnlyDictionary<string, double> Check(
        RNN model,
        Gradients analytic,
        Matrix<double> inputs,
        IReadOnlyList<int> targets,
        Matrix<double>? initialState = null,
        int samples = 20,
        int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(analytic);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Guard.HasShape(analytic.InitialState, 1, model.HiddenSize, "gradients.InitialState");
        var checkedParameters = analytic.PairWith(model).ToList();

        // The initial state is perturbed in a copy that is passed explicitly: the model's state stays put.
        Matrix<double> start = initialState?.Clone() ?? model.State;
        Bptt.Run(model, inputs, targets, start);  // every remaining check, before any perturbation
        checkedParameters.Add((ParameterNames.InitialState, start, analytic.InitialState));

        var random = new Random(seed);
        var worst = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach ((string name, Matrix<double> parameter, Matrix<double> gradient) in checkedParameters)
        {
            double largest = 0.0;
            for (int s = 0; s < samples; s++)
            {
                int row = random.Next(parameter.RowCount);
                int column = random.Next(parameter.ColumnCount);

                // The initial state is the copy passed to Bptt.Run; a parameter changes through the model.
                void Set(double value)
                {
                    if (name == ParameterNames.InitialState)
                    {
                        parameter.At(row, column, value);
                        return;
                    }

                    double[] values = (double[])ColumnMajor.Storage(parameter).Clone();
                    values[row + column * parameter.RowCount] = value;
                    model.ApplyUpdate([(name, values)]);
                }

                double old = parameter.At(row, column);
                double plus, minus;
                try
                {
                    Set(old + Epsilon);
                    plus = Bptt.Run(model, inputs, targets, start).Loss;
                    Set(old - Epsilon);
                    minus = Bptt.Run(model, inputs, targets, start).Loss;
                }
                finally
                {
                    Set(old);
                }

                double numeric = (plus - minus) / (2 * Epsilon);
                double a = gradient.At(row, column);
                double error = Math.Abs(a - numeric) / Math.Max(Math.Abs(a) + Math.Abs(numeric), Floor);
                largest = s == 0 ? error : Math.Max(largest, error);
            }

            worst[name] = largest;
        }

        return worst;
    }
}
