using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// The README's C# examples of the gated cells, run (python/tests/test_docs.py checks that the README's
/// lines occur here verbatim); the assertions check the shapes the README states and that Forward and
/// TimeStep agree.
/// </summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void LstmAndGruExamplesRun()
    {
        var random = new Random(0);
        Matrix<double> Weights(int rows, int columns) =>
            Matrix<double>.Build.Dense(rows, columns, (_, _) => random.NextDouble() - 0.5);

        // I = 4, H = 16, O = 3; every weight is the transpose of its NumPy twin (W_ih.T is I×4H).
        var lstm = new LSTM(Weights(4, 64), Weights(16, 64), Weights(16, 3),
                            inputBias: Weights(1, 64), recurrentBias: Weights(1, 64));  // column blocks i|f|g|o
        var inputs = Weights(100, 4);
        var (outputs, states, cellStates) = lstm.Forward(inputs);  // 100×3, 100×16, 100×16
        var gru = new GRU(Weights(4, 48), Weights(16, 48), Weights(16, 3));  // column blocks r|z|n
        var (gruOutputs, gruStates) = gru.Forward(inputs);  // 100×3, 100×16

        Assert.Equal((100, 3, 100, 16, 100, 16), (outputs.RowCount, outputs.ColumnCount, states.RowCount,
                                                  states.ColumnCount, cellStates.RowCount, cellStates.ColumnCount));
        Assert.Equal((100, 3, 100, 16), (gruOutputs.RowCount, gruOutputs.ColumnCount, gruStates.RowCount, gruStates.ColumnCount));
        lstm.Reset();
        gru.Reset();
        Assert.Equal(outputs.Row(0).ToArray(), lstm.TimeStep(inputs.SubMatrix(0, 1, 0, 4)).Row(0).ToArray());
        Assert.Equal(gruOutputs.Row(0).ToArray(), gru.TimeStep(inputs.SubMatrix(0, 1, 0, 4)).Row(0).ToArray());
    }
}
