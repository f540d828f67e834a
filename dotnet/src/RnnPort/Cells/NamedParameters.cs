using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// What every cell does with its list of named parameters: build it in the one order (the three weights,
/// then the biases that are on) and write an all-or-nothing update into it. NumPy twin:
/// <c>rnnport.cells.parameter_store.ParameterStore</c> (<c>parameters()</c>, <c>apply_update</c>).
/// </summary>
internal static class NamedParameters
{
    /// <summary>
    /// The list InputWeights, RecurrentWeights, OutputWeights, then each bias that is not null, in the order
    /// given: the order every check, norm and update follows, for a model and its gradients alike.
    /// </summary>
    internal static IReadOnlyList<(string Name, Matrix<double> Value)> Of(
        Matrix<double> inputWeights,
        Matrix<double> recurrentWeights,
        Matrix<double> outputWeights,
        params (string Name, Matrix<double>? Value)[] biases)
    {
        var parameters = new List<(string, Matrix<double>)>(3 + biases.Length)
        {
            (ParameterNames.InputWeights, inputWeights),
            (ParameterNames.RecurrentWeights, recurrentWeights),
            (ParameterNames.OutputWeights, outputWeights),
        };
        foreach ((string name, Matrix<double>? bias) in biases)
        {
            if (bias is not null)
            {
                parameters.Add((name, bias));
            }
        }

        return parameters;
    }

    /// <summary>
    /// Copies each update's values (column-major, the NumPy twin's C order) into the named parameter, after
    /// checking every update: a rejected update writes nothing. The caller then repacks whatever copies its
    /// kernels read.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a parameter of this model, or its values are too few or too many.</exception>
    internal static void Write(
        IReadOnlyList<(string Name, Matrix<double> Value)> parameters, IReadOnlyList<(string Name, double[] Values)> updates)
    {
        var storages = new double[updates.Count][];
        for (int i = 0; i < updates.Count; i++)
        {
            (string name, double[] values) = updates[i];
            Matrix<double>? parameter = parameters.FirstOrDefault(p => p.Name == name).Value;
            if (parameter is null || values.Length != parameter.RowCount * parameter.ColumnCount)
            {
                throw new ArgumentException(
                    $"cannot write {values.Length} values to {name}: the model's parameters are [{string.Join(", ", parameters.Select(p => $"{p.Name} {Guard.Shape(p.Value)}"))}]",
                    nameof(updates));
            }

            storages[i] = ColumnMajor.Storage(parameter);
        }

        for (int i = 0; i < updates.Count; i++)
        {
            updates[i].Values.CopyTo(storages[i], 0);
        }
    }
}
