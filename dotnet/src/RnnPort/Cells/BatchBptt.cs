using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// BPTT over a batch: the per-sequence losses and gradients summed in one fixed order, so that both languages
/// agree bit for bit (docs/exact-mode.md, "Batches"). NumPy twin: <c>rnnport.cells.batch_bptt.bptt_batch</c>.
/// </summary>
/// <remarks>
/// Each sequence b runs the cell's own BPTT of one chunk (<see cref="Bptt.Run"/>, <see cref="LstmBptt.Run"/>,
/// <see cref="GruBptt.Run"/>) from the model's current state; then the loss and every element of every
/// gradient (the initial state's included) start at +0.0 and receive sequence b = 0, 1, …, B − 1 in turn,
/// one addition each. The final states are returned as B×H matrices, row b sequence b's. The model is not changed.
/// </remarks>
public static class BatchBptt
{
    /// <summary>The RNN's summed loss and gradients over B sequences; <c>FinalState</c> is B×H.</summary>
    /// <param name="model">The network.</param>
    /// <param name="inputs">B×T×I, B ≥ 1.</param>
    /// <param name="targets">B×T classes in [0, O).</param>
    /// <returns>The summed result.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The inputs are not a finite B×T×I batch with B ≥ 1, the targets not B×T, or as <see cref="Bptt.Run"/>.</exception>
    /// <exception cref="NonFiniteResultException">As <see cref="Bptt.Run"/> for a sequence (its message prefixed by <c>sequence b: </c>), or a sum overflows.</exception>
    public static BpttResult Run(RNN model, double[,,] inputs, int[,] targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        BpttResult[] results = Each(inputs, targets, model.InputSize, (x, t) => Bptt.Run(model, x, t));
        return results[0] with { Loss = Sum(results, r => ((IParameterGradients)r.Gradients).Arrays(), r => r.Loss), FinalState = Stack(results, r => r.FinalState) };
    }

    /// <summary>The LSTM's summed loss and gradients over B sequences; <c>FinalState</c>, <c>FinalCellState</c> B×H.</summary>
    /// <param name="model">The network.</param>
    /// <param name="inputs">B×T×I, B ≥ 1.</param>
    /// <param name="targets">B×T classes in [0, O).</param>
    /// <returns>The summed result.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As for the RNN.</exception>
    /// <exception cref="NonFiniteResultException">As for the RNN.</exception>
    public static LstmBpttResult Run(LSTM model, double[,,] inputs, int[,] targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        LstmBpttResult[] results = Each(inputs, targets, model.InputSize, (x, t) => LstmBptt.Run(model, x, t));
        return results[0] with
        {
            Loss = Sum(results, r => ((IParameterGradients)r.Gradients).Arrays(), r => r.Loss),
            FinalState = Stack(results, r => r.FinalState),
            FinalCellState = Stack(results, r => r.FinalCellState),
        };
    }

    /// <summary>The GRU's summed loss and gradients over B sequences; <c>FinalState</c> is B×H.</summary>
    /// <param name="model">The network.</param>
    /// <param name="inputs">B×T×I, B ≥ 1.</param>
    /// <param name="targets">B×T classes in [0, O).</param>
    /// <returns>The summed result.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As for the RNN.</exception>
    /// <exception cref="NonFiniteResultException">As for the RNN.</exception>
    public static GruBpttResult Run(GRU model, double[,,] inputs, int[,] targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        GruBpttResult[] results = Each(inputs, targets, model.InputSize, (x, t) => GruBptt.Run(model, x, t));
        return results[0] with { Loss = Sum(results, r => ((IParameterGradients)r.Gradients).Arrays(), r => r.Loss), FinalState = Stack(results, r => r.FinalState) };
    }

    /// <summary>Checks the batch, then runs one sequence's BPTT per row b, in order.</summary>
    private static T[] Each<T>(double[,,] inputs, int[,] targets, int inputSize, Func<Matrix<double>, int[], T> run)
    {
        BatchRunner.Check(inputs, inputSize, nameof(inputs));
        ArgumentNullException.ThrowIfNull(targets);
        int batch = inputs.GetLength(0), steps = inputs.GetLength(1);
        if (batch == 0)
        {
            throw new ArgumentException("inputs has 0 sequences: BPTT over a batch needs at least one", nameof(inputs));
        }

        if (targets.GetLength(0) != batch || targets.GetLength(1) != steps)
        {
            throw new ShapeMismatchException(nameof(targets), $"{Guard.Number(batch)}×{Guard.Number(steps)}",
                $"{Guard.Number(targets.GetLength(0))}×{Guard.Number(targets.GetLength(1))}");
        }

        var results = new T[batch];
        for (int b = 0; b < batch; b++)
        {
            Matrix<double> x = Matrix<double>.Build.Dense(steps, inputs.GetLength(2), (t, i) => inputs[b, t, i]);
            var t = new int[steps];
            for (int s = 0; s < steps; s++)
            {
                t[s] = targets[b, s];
            }

            try
            {
                results[b] = run(x, t);
            }
            catch (NonFiniteResultException error)
            {
                throw new NonFiniteResultException($"sequence {Guard.Number(b)}: {error.Message}");
            }
        }

        return results;
    }

    /// <summary>
    /// Writes Σ_b into the first result's (live) gradients, element by element from +0.0 in the order b = 0 … B − 1,
    /// refuses a non-finite sum, and returns the summed loss (the same order).
    /// </summary>
    private static double Sum<T>(T[] results, Func<T, IEnumerable<(string Name, Matrix<double> Value)>> arrays, Func<T, double> loss)
    {
        var each = results.Select(r => arrays(r).ToArray()).ToArray();
        for (int p = 0; p < each[0].Length; p++)
        {
            Matrix<double> total = each[0][p].Value;
            double[] data = ColumnMajor.Storage(total);
            for (int n = 0; n < data.Length; n++)
            {
                double acc = 0.0;
                foreach (var gradients in each)
                {
                    acc += ColumnMajor.ReadOnly(gradients[p].Value)[n];
                }

                data[n] = acc;
            }

            FiniteResults.Refuse(total, "bptt: the gradient", each[0][p].Name);
        }

        double sum = 0.0;
        foreach (T result in results)
        {
            sum += loss(result);
        }

        return sum;
    }

    /// <summary>The 1×H final states as the rows of one B×H matrix.</summary>
    private static Matrix<double> Stack<T>(T[] results, Func<T, Matrix<double>> state) =>
        Matrix<double>.Build.DenseOfRowVectors(results.Select(r => state(r).Row(0)));
}
