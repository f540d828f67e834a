namespace RnnPort;

/// <summary>
/// A computation on finite arguments gave NaN or ±Infinity: a step, a sequence, the loss, a gradient,
/// the global gradient norm or an optimiser update overflowed, or a temperature so small that
/// <c>score / temperature</c> is infinite. The one-line message names the operation, the step or
/// parameter and the first element that is not finite, for example
/// <c>forward: the state at step 17 is not finite (element 3 is inf)</c>. The model's state, its
/// weights and an optimiser's memory are left as they were. NumPy twin: the built-in
/// <c>FloatingPointError</c> raised by <c>rnnport</c>, with the same message up to the layout of a
/// transposed matrix (docs/bad-input.md, "Non-finite results"); the bridge <c>rnnport.dotnet</c> re-raises
/// this exception as <c>FloatingPointError</c>.
/// </summary>
public sealed class NonFiniteResultException : ArithmeticException
{
    /// <summary>Creates the exception with its one-line message.</summary>
    /// <param name="message">What is not finite, for example <c>sgd: the update of InputWeights is not finite (element (0, 2) is -inf)</c>.</param>
    public NonFiniteResultException(string message)
        : base(message)
    {
    }
}
