namespace RnnPort;

/// <summary>
/// What a cell's <c>ForwardBatch</c> returns for B sequences of T steps: element (b, t, ·) is sequence b's
/// output, state (and cell state) after timestep t, the same index order as the NumPy twin arrays
/// (B, T, O), (B, T, H). NumPy twin: the tuple returned by <c>forward_batch</c>.
/// </summary>
public sealed class BatchResult
{
    /// <summary>Creates the result from arrays the caller hands over (not copied).</summary>
    /// <param name="outputs">B×T×O.</param>
    /// <param name="states">B×T×H.</param>
    /// <param name="cellStates">B×T×H for the LSTM, otherwise null.</param>
    internal BatchResult(double[,,] outputs, double[,,] states, double[,,]? cellStates)
    {
        Outputs = outputs;
        States = states;
        CellStates = cellStates;
    }

    /// <summary>B×T×O: <c>Outputs[b, t, o]</c> is sequence b's output o after timestep t.</summary>
    public double[,,] Outputs { get; }

    /// <summary>B×T×H: the states after each timestep.</summary>
    public double[,,] States { get; }

    /// <summary>B×T×H: the LSTM's cell states after each timestep; null for the RNN and the GRU.</summary>
    public double[,,]? CellStates { get; }
}
