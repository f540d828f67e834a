namespace RnnPort;

/// <summary>
/// What one pass of a <see cref="RecurrentStack"/> computed over a sequence, every array row-major and
/// indexed by time t (not by processing order): the buffers of one call, allocated once, sized by T.
/// NumPy twin: the lists of <c>DirectionRun</c> that <c>RecurrentStack.run</c> returns.
/// </summary>
internal sealed class StackRun
{
    internal StackRun(int steps, double[] inputs, double[][] layerOutputs, double[] outputs, double[] finalStates,
                      double[]? finalCellStates, double[][]? tapes, double[][]? cellStates)
    {
        Steps = steps;
        Inputs = inputs;
        LayerOutputs = layerOutputs;
        Outputs = outputs;
        FinalStates = finalStates;
        FinalCellStates = finalCellStates;
        Tapes = tapes;
        CellStates = cellStates;
    }

    /// <summary>T.</summary>
    internal int Steps { get; }

    /// <summary>T×I: the stack's input, row t at t·I.</summary>
    internal double[] Inputs { get; }

    /// <summary>Per layer k, T×D·H: row t is <c>[h_forward_t | h_reverse_t]</c>.</summary>
    internal double[][] LayerOutputs { get; }

    /// <summary>T×O: y_t.</summary>
    internal double[] Outputs { get; }

    /// <summary>(L·D)×H: each direction's state after its last step (the start state when T = 0).</summary>
    internal double[] FinalStates { get; }

    /// <summary>(L·D)×H, the LSTM's cell states likewise, or null.</summary>
    internal double[]? FinalCellStates { get; }

    /// <summary>
    /// Null, or per k·D + d, T×4H: the LSTM's gates [i | f | g | o] after their nonlinearities, or the GRU's
    /// r, z, n and <c>W_hn h + b_hn</c> (what BPTT reads besides the states); null entries for the RNN.
    /// </summary>
    internal double[][]? Tapes { get; }

    /// <summary>Null, or per k·D + d, T×H: the LSTM's cell state after consuming x_t.</summary>
    internal double[][]? CellStates { get; }
}
