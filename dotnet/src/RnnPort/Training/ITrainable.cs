using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// A model whose parameters an <see cref="IOptimizer"/> updates: <see cref="RNN"/>, <see cref="GRU"/>.
/// NumPy twin: any model with <c>parameters()</c>, which <c>rnnport.optim</c> reads.
/// </summary>
public interface ITrainable
{
    /// <summary>The trainable matrices by name, live but for reading, in the model's order.</summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters();

    /// <summary>
    /// Writes new values (column-major, one per element) into the named parameters: the one way a parameter
    /// changes after construction (see <see cref="RNN"/>'s <c>ApplyUpdate</c>).
    /// </summary>
    internal void ApplyUpdate(IReadOnlyList<(string Name, double[] Values)> updates);
}

/// <summary>
/// Gradients an <see cref="IOptimizer"/> applies and <see cref="Bptt"/>'s clipping scales:
/// <see cref="Gradients"/> (RNN), <see cref="GruGradients"/>. NumPy twin: <c>gradients.parameters()</c> and <c>h0</c>.
/// </summary>
public interface IParameterGradients
{
    /// <summary>1×H, the gradient with respect to the chunk's initial state; reported, never applied.</summary>
    Matrix<double> InitialState { get; }

    /// <summary>The parameter gradients by name (live), in the order of the model's parameters; no InitialState.</summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters();
}
