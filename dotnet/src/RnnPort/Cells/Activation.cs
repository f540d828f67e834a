namespace RnnPort;

/// <summary>
/// The nonlinearity f in <c>state = f(state·recurrentWeights + input·inputWeights)</c>.
/// The article names both. NumPy twin: the <c>activation="tanh" | "relu"</c> argument of <c>rnnport.RNN</c>.
/// </summary>
public enum Activation
{
    /// <summary>Hyperbolic tangent, element by element with <see cref="Math.Tanh(double)"/>.</summary>
    Tanh,

    /// <summary>Rectified linear unit: <c>a &gt; 0 ? a : +0.0</c>, so that <c>-0.0</c> maps to <c>+0.0</c> on both sides.</summary>
    Relu,
}

/// <summary>Parses and applies <see cref="Activation"/> values.</summary>
public static class ActivationFunctions
{
    /// <summary>Parses the NumPy side's spelling (<c>"tanh"</c>, <c>"relu"</c>), case-sensitively.</summary>
    /// <param name="name">The activation's name as <c>rnnport.RNN</c> takes it.</param>
    /// <returns>The matching <see cref="Activation"/>.</returns>
    /// <exception cref="ArgumentException">The name is not <c>"tanh"</c> or <c>"relu"</c>.</exception>
    public static Activation Parse(string name) => name switch
    {
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        _ => throw new ArgumentException($"unknown activation '{name}': expected 'tanh' or 'relu'", nameof(name)),
    };

    /// <summary>The NumPy side's spelling of <paramref name="activation"/>.</summary>
    /// <param name="activation">An activation.</param>
    /// <returns><c>"tanh"</c> or <c>"relu"</c>.</returns>
    public static string Name(Activation activation) => activation switch
    {
        Activation.Tanh => "tanh",
        Activation.Relu => "relu",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Applies <paramref name="activation"/> to one value.</summary>
    /// <param name="activation">Which function.</param>
    /// <param name="a">The pre-activation.</param>
    /// <returns>f(a).</returns>
    public static double Apply(Activation activation, double a) => activation switch
    {
        Activation.Tanh => Math.Tanh(a),
        // Not Math.Max(a, 0.0): that maps -0.0 to +0.0 too, but NaN to NaN and differs from the
        // NumPy twin np.where(a > 0, a, 0.0) on NaN. One rule, written once, on both sides.
        Activation.Relu => a > 0.0 ? a : 0.0,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
