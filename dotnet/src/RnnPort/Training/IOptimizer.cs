namespace RnnPort;

/// <summary>
/// Updates a model's parameters in place from one chunk's gradients, for any cell (<see cref="RNN"/>,
/// <see cref="LSTM"/>, <see cref="GRU"/>) through <see cref="ITrainable"/> and <see cref="IParameterGradients"/>.
/// NumPy twins: <c>rnnport.training.optimizers.SGD</c> and <c>rnnport.training.optimizers.Adagrad</c>, whose <c>step(model, gradients)</c> this is.
/// </summary>
public interface IOptimizer
{
    /// <summary>
    /// Applies one update to every parameter of <paramref name="model"/>. The gradients are checked
    /// against the model first; a rejected call changes nothing. The model's state is not touched, and
    /// the initial state's (and cell state's) gradients are ignored.
    /// </summary>
    /// <param name="model">The network to update.</param>
    /// <param name="gradients">Gradients for exactly the model's parameters (same biases, same shapes).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The gradients are for a different set of parameters than the model has.</exception>
    /// <exception cref="ShapeMismatchException">A gradient's shape differs from its parameter's.</exception>
    void Step(ITrainable model, IParameterGradients gradients);
}
