using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// A model whose parameters an <see cref="IOptimizer"/> updates: <see cref="RNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>.
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
/// <see cref="Gradients"/> (RNN), <see cref="LstmGradients"/>, <see cref="GruGradients"/>.
/// NumPy twin: <c>gradients.parameters()</c> and <c>gradients.arrays()</c>.
/// </summary>
public interface IParameterGradients
{
    /// <summary>The parameter gradients by name (live), in the order of the model's parameters; no initial state's.</summary>
    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters();

    /// <summary>Every gradient, live: the parameters' in order, then the initial state's (and cell state's): what element-wise clipping clips.</summary>
    internal IEnumerable<(string Name, Matrix<double> Value)> Arrays();
}
