namespace RnnPort;

/// <summary>
/// The names under which the parameters (and the initial state's gradient) are reported, for example
/// by <see cref="GradientCheck"/> and <see cref="Adagrad.Memory"/>. Each is the C# property's name;
/// the NumPy twin's name and shape are given beside it.
/// </summary>
public static class ParameterNames
{
    /// <summary>I×H input weights; NumPy twin <c>W_xh</c> (H, I).</summary>
    public const string InputWeights = "InputWeights";

    /// <summary>H×H recurrent weights; NumPy twin <c>W_hh</c> (H, H).</summary>
    public const string RecurrentWeights = "RecurrentWeights";

    /// <summary>H×O output weights; NumPy twin <c>W_hy</c> (O, H).</summary>
    public const string OutputWeights = "OutputWeights";

    /// <summary>1×H hidden bias; NumPy twin <c>b_h</c> (H,).</summary>
    public const string HiddenBias = "HiddenBias";

    /// <summary>1×O output bias; NumPy twin <c>b_y</c> (O,).</summary>
    public const string OutputBias = "OutputBias";

    /// <summary>The gated cells' input bias (torch's bias_ih, NumPy <c>b_ih</c>).</summary>
    public const string InputBias = "InputBias";

    /// <summary>The gated cells' recurrent bias (torch's bias_hh, NumPy <c>b_hh</c>).</summary>
    public const string RecurrentBias = "RecurrentBias";

    /// <summary>1×H initial state of a chunk (a gradient only, never a parameter); NumPy twin <c>h0</c> (H,).</summary>
    public const string InitialState = "InitialState";
}
