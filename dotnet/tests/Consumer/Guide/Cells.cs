using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using RnnPort;

namespace Consumer.Guide;

/// <summary>docs/csharp.md, "Construct a cell, step it, run a sequence": compiled and run as the guide shows it.</summary>
internal static class Cells
{
    internal static void Run()
    {
        // I = 3 inputs, H = 8 state units, O = 2 outputs, in the row convention: every C# weight is the
        // transpose of its NumPy twin (inputWeights = W_xh.T is I×H, recurrentWeights = W_hh.T is H×H,
        // outputWeights = W_hy.T is H×O), and a state or an input is a 1×n row.
        var normal = new Normal(0.0, 0.3, new Random(0));
        var rnn = new RNN(
            Matrix<double>.Build.Random(3, 8, normal),
            Matrix<double>.Build.Random(8, 8, normal),
            Matrix<double>.Build.Random(8, 2, normal));

        var x = Matrix<double>.Build.DenseOfRowArrays([1.0, 0.0, -1.0]);  // one input, 1×I
        Matrix<double> y = rnn.TimeStep(x);  // 1×O; the state moves on
        Matrix<double> h = rnn.State;        // 1×H, a copy
        Console.WriteLine($"y = {y.Row(0)[0]:F6} {y.Row(0)[1]:F6}, |h| = {h.FrobeniusNorm():F6}");
        rnn.Reset();                         // back to the initial state (zeros unless given)

        var xs = Matrix<double>.Build.Random(50, 3, normal);  // T×I, one input row per step
        var (outputs, states) = rnn.Forward(xs);               // T×O and T×H, from the current state
        Console.WriteLine($"forward: outputs {outputs.RowCount}×{outputs.ColumnCount}, states {states.RowCount}×{states.ColumnCount}");

        // The gated cells stack their gates in columns, as torch.nn does: LSTM i|f|g|o (4H), GRU r|z|n (3H).
        var lstm = new LSTM(
            Matrix<double>.Build.Random(3, 4 * 8, normal),
            Matrix<double>.Build.Random(8, 4 * 8, normal),
            Matrix<double>.Build.Random(8, 2, normal));
        var (lstmOutputs, lstmStates, cellStates) = lstm.Forward(xs);  // T×O, T×H, T×H
        var gru = new GRU(
            Matrix<double>.Build.Random(3, 3 * 8, normal),
            Matrix<double>.Build.Random(8, 3 * 8, normal),
            Matrix<double>.Build.Random(8, 2, normal));
        var (gruOutputs, gruStates) = gru.Forward(xs);  // T×O, T×H
        Console.WriteLine($"lstm: {lstmOutputs.RowCount} outputs, last c[0] = {cellStates[49, 0]:F6}; gru: {gruOutputs.RowCount} outputs");

        // Forward is TimeStep over the rows, bit for bit:
        rnn.Reset();
        bool same = Enumerable.Range(0, xs.RowCount).All(t => rnn.TimeStep(xs.SubMatrix(t, 1, 0, 3)).Equals(outputs.SubMatrix(t, 1, 0, 2)));
        Console.WriteLine($"forward == time steps: {same}");
    }
}
