using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The stack's live parameters, for <see cref="StackBptt"/>, the optimisers and clipping.</summary>
public sealed partial class RecurrentStack : ITrainable
{
    /// <summary>
    /// The trainable matrices by name, live, for reading: torch's names in torch's order (per layer, per direction:
    /// weight_ih, weight_hh, bias_ih, bias_hh), then W_hy, b_y. NumPy twin: <c>parameters()</c>, whose arrays are
    /// these transposed (weights) or flattened (biases): the same values in the same (C) order.
    /// </summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() => _parameters;

    IReadOnlyList<(string Name, Matrix<double> Value)> ITrainable.Parameters() => Parameters();

    /// <summary>
    /// Writes new values (column-major, NumPy's C order of the twin array) into the named parameters, every update
    /// checked before any is written, then repacks the weight copies the kernels read. NumPy twin: <c>apply_update</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a parameter of this stack, or its values are too few or too many.</exception>
    internal void ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates)
    {
        NamedParameters.Write(_parameters, updates);
        PackWeights();
    }

    void ITrainable.ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates) => ApplyUpdate(updates);
}
