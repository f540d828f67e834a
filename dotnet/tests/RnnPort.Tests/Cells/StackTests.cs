using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// <see cref="RecurrentStack"/> against the single cells it is built of (bit for bit), torch's semantics (layers feed
/// layers, the reverse direction runs backwards), state carrying, and its allocation per timestep. Rejections are in
/// StackRejectionTests; parity with the NumPy twin is parity_tests/test_stack_parity.py and the golden vectors.
/// </summary>
public sealed class StackTests
{
    private static readonly Matrix<double> Inputs = Build.Random(9, 3, 41, 1.5);

    private static bool SameBits(Matrix<double> a, Matrix<double> b) =>
        a.RowCount == b.RowCount && a.ColumnCount == b.ColumnCount &&
        a.ToColumnMajorArray().Zip(b.ToColumnMajorArray()).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    /// <summary>A copy of the parameters with one element of one weight moved by 1e-3: the negative control of every equality.</summary>
    private static Dictionary<string, Matrix<double>> Nudged(Dictionary<string, Matrix<double>> parameters, string name)
    {
        var copy = parameters.ToDictionary(p => p.Key, p => p.Value.Clone());
        copy[name][0, 0] += 1e-3;
        return copy;
    }

    [Fact]
    public void OneLayerLstmStackWithOutputWeightsIsTheLstmBitForBit()
    {
        var p = StackCase.Parameters("lstm", 1, false, 3, 4, biases: true, seed: 3);
        Matrix<double> wy = Build.Random(4, 5, 4), by = Build.Random(1, 5, 5), h0 = Build.Random(1, 4, 6), c0 = Build.Random(1, 4, 7);
        var cell = new LSTM(p["weight_ih_l0"], p["weight_hh_l0"], wy, h0, c0, p["bias_ih_l0"], p["bias_hh_l0"], by);
        RecurrentStack Make(Dictionary<string, Matrix<double>> q) => new("lstm", q, 1, outputWeights: wy, outputBias: by, initialStates: h0, initialCellStates: c0);
        RecurrentStack stack = Make(p);

        StackOutput got = stack.Forward(Inputs);
        (Matrix<double> ys, _, _) = cell.Forward(Inputs);
        Build.AssertBitIdentical(ys, got.Outputs);
        Build.AssertBitIdentical(cell.State, got.FinalStates);
        Build.AssertBitIdentical(cell.CellState, got.FinalCellStates!);
        Build.AssertBitIdentical(cell.TimeStep(Inputs.SubMatrix(0, 1, 0, 3)), stack.TimeStep(Inputs.SubMatrix(0, 1, 0, 3)));
        Build.AssertBitIdentical(cell.State, stack.State);

        Assert.False(SameBits(ys, Make(Nudged(p, "weight_hh_l0")).Forward(Inputs).Outputs));  // the comparison can fail
    }

    [Fact]
    public void OneLayerGruStackWithOutputWeightsIsTheGruBitForBit()
    {
        var p = StackCase.Parameters("gru", 1, false, 3, 4, biases: true, seed: 13);
        Matrix<double> wy = Build.Random(4, 5, 14), by = Build.Random(1, 5, 15), h0 = Build.Random(1, 4, 16);
        var cell = new GRU(p["weight_ih_l0"], p["weight_hh_l0"], wy, h0, p["bias_ih_l0"], p["bias_hh_l0"], by);
        RecurrentStack Make(Dictionary<string, Matrix<double>> q) => new("gru", q, 1, outputWeights: wy, outputBias: by, initialStates: h0);

        StackOutput got = Make(p).Forward(Inputs);
        (Matrix<double> ys, _) = cell.Forward(Inputs);
        Build.AssertBitIdentical(ys, got.Outputs);
        Build.AssertBitIdentical(cell.State, got.FinalStates);
        Assert.Null(got.FinalCellStates);
        Assert.False(SameBits(ys, Make(Nudged(p, "bias_hh_l0")).Forward(Inputs).Outputs));
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    public void RnnStackWithoutBiasesIsTheRnnWithoutBiases(Activation f)
    {
        var p = StackCase.Parameters("rnn", 1, false, 3, 4, biases: false, seed: 23);
        Matrix<double> wy = Build.Random(4, 5, 24), h0 = Build.Random(1, 4, 25);
        var cell = new RNN(p["weight_ih_l0"], p["weight_hh_l0"], wy, h0, f);
        RecurrentStack Make(Dictionary<string, Matrix<double>> q) => new("rnn", q, 1, nonlinearity: f, outputWeights: wy, initialStates: h0);

        StackOutput got = Make(p).Forward(Inputs);
        (Matrix<double> ys, _) = cell.Forward(Inputs);
        Build.AssertBitIdentical(ys, got.Outputs);
        Build.AssertBitIdentical(cell.State, got.FinalStates);
        Assert.False(SameBits(ys, Make(Nudged(p, "weight_ih_l0")).Forward(Inputs).Outputs));
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void TheReverseDirectionIsTheCellOverTheReversedSequence(string cellName)
    {
        var p = StackCase.Parameters(cellName, 1, true, 3, 4, biases: true, seed: 33);
        Matrix<double> h0 = Build.Random(2, 4, 34), c0 = Build.Random(2, 4, 35), dummy = Build.Random(4, 1, 36);
        var stack = new RecurrentStack(cellName, p, 1, bidirectional: true, initialStates: h0, initialCellStates: cellName == "lstm" ? c0 : null);
        StackOutput got = stack.Forward(Inputs);

        Matrix<double> Run(string s, Matrix<double> xs, int row) => cellName == "lstm"
            ? new LSTM(p["weight_ih" + s], p["weight_hh" + s], dummy, h0.SubMatrix(row, 1, 0, 4), c0.SubMatrix(row, 1, 0, 4), p["bias_ih" + s], p["bias_hh" + s]).Forward(xs).States
            : new GRU(p["weight_ih" + s], p["weight_hh" + s], dummy, h0.SubMatrix(row, 1, 0, 4), p["bias_ih" + s], p["bias_hh" + s]).Forward(xs).States;
        Matrix<double> forward = Run("_l0", Inputs, 0), reverse = StackCase.Reversed(Run("_l0_reverse", StackCase.Reversed(Inputs), 1));

        Build.AssertBitIdentical(forward, got.Outputs.SubMatrix(0, 9, 0, 4));
        Build.AssertBitIdentical(reverse, got.Outputs.SubMatrix(0, 9, 4, 4));
        Build.AssertBitIdentical(forward.SubMatrix(8, 1, 0, 4), got.FinalStates.SubMatrix(0, 1, 0, 4));   // forward ends at t = T−1
        Build.AssertBitIdentical(reverse.SubMatrix(0, 1, 0, 4), got.FinalStates.SubMatrix(1, 1, 0, 4));   // reverse ends at t = 0
        Assert.False(SameBits(reverse, got.Outputs.SubMatrix(0, 9, 0, 4)));
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void LayerKRunsOnLayerKMinusOnesOutput(string cellName)
    {
        var p = StackCase.Parameters(cellName, 2, true, 3, 4, biases: true, seed: 43);
        Matrix<double> h0 = Build.Random(4, 4, 44), c0 = Build.Random(4, 4, 45);
        bool lstm = cellName == "lstm";
        var stack = new RecurrentStack(cellName, p, 2, true, initialStates: h0, initialCellStates: lstm ? c0 : null);
        IReadOnlyList<Matrix<double>> layers = stack.LayerOutputs(Inputs);

        RecurrentStack Single(int k) => new(
            cellName,
            p.Where(q => q.Key.Contains($"_l{k}", StringComparison.Ordinal)).ToDictionary(q => q.Key.Replace($"_l{k}", "_l0", StringComparison.Ordinal), q => q.Value),
            1, true, initialStates: h0.SubMatrix(2 * k, 2, 0, 4), initialCellStates: lstm ? c0.SubMatrix(2 * k, 2, 0, 4) : null);
        Matrix<double> first = Single(0).Forward(Inputs).Outputs, second = Single(1).Forward(first).Outputs;

        Build.AssertBitIdentical(first, layers[0]);
        Build.AssertBitIdentical(second, layers[1]);
        Build.AssertBitIdentical(second, stack.Forward(Inputs).Outputs);  // no W_hy: the output is the top layer's
        Assert.False(SameBits(Single(1).Forward(first * 0.5).Outputs, layers[1]));
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void ForwardCarriesTheStateLikeTorchAndResetPutsH0Back(string cellName)
    {
        RecurrentStack stack = StackCase.Stack(cellName, 3, false), whole = StackCase.Stack(cellName, 3, false);
        Matrix<double> h0 = stack.State;
        Matrix<double> ys = whole.Forward(Inputs).Outputs;
        Matrix<double> first = stack.Forward(Inputs.SubMatrix(0, 4, 0, 3)).Outputs;
        Matrix<double> rest = Matrix<double>.Build.DenseOfRowVectors(Enumerable.Range(4, 5).Select(t => stack.TimeStep(Inputs.SubMatrix(t, 1, 0, 3)).Row(0)));
        Build.AssertBitIdentical(ys, first.Stack(rest));
        Build.AssertBitIdentical(whole.State, stack.State);
        Assert.False(SameBits(h0, stack.State));

        stack.Reset();
        Build.AssertBitIdentical(h0, stack.State);
        Assert.Equal(0, stack.Forward(Matrix<double>.Build.Dense(0, 3)).Outputs.RowCount);  // T = 0: nothing moves
        Build.AssertBitIdentical(h0, stack.State);
    }

    [Fact]
    public void LayerOutputsChangesNothing()
    {
        RecurrentStack stack = StackCase.Stack("lstm", 2, true);
        Matrix<double>[] before = StackCase.Snapshot(stack);
        Assert.Equal(2, stack.LayerOutputs(Inputs).Count);
        StackCase.AssertUnchanged(before, stack);
        stack.Forward(Inputs);
        Assert.Throws<Xunit.Sdk.TrueException>(() => StackCase.AssertUnchanged(before, stack));  // the snapshot sees a change
    }

    [Fact]
    public void ApplyUpdateRepacksTheWeightsTheKernelsRead()
    {
        RecurrentStack stack = StackCase.Stack("gru", 2, true);
        Matrix<double> before = stack.LayerOutputs(Inputs)[1];
        var trainable = (ITrainable)stack;
        double[] values = trainable.Parameters().Single(p => p.Name == "weight_hh_l1_reverse").Value.ToColumnMajorArray();
        values[0] += 0.25;
        trainable.ApplyUpdate([("weight_hh_l1_reverse", values)]);
        Matrix<double> after = stack.LayerOutputs(Inputs)[1];

        Assert.False(SameBits(before.SubMatrix(0, 9, 4, 4), after.SubMatrix(0, 9, 4, 4)));  // the reverse half moved
        Build.AssertBitIdentical(before.SubMatrix(0, 9, 0, 4), after.SubMatrix(0, 9, 0, 4));  // the forward half did not
        Assert.Equal(values[0], stack.Parameter("weight_hh_l1_reverse")[0, 0]);
        Assert.Throws<ArgumentException>(() => trainable.ApplyUpdate([("weight_hh_l2", values)]));
    }

    [Fact]
    public void ParametersAreInTorchOrderThenTheOutputLayer()
    {
        RecurrentStack stack = StackCase.Stack("lstm", 2, true);
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
             "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
             "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
             "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse", "W_hy", "b_y"],
            stack.ParameterNames);
        Assert.Equal(Guard.Shape(8, 16), Guard.Shape(stack.Parameter("weight_ih_l1")));  // D·H × 4H: torch's (16, 8) transposed
    }

    /// <summary>
    /// Forward allocates per call, never per timestep: from T = 10 to T = 1000 the bytes grow by exactly the T-sized
    /// buffers (the input copy T×I, the L layer outputs T×D·H, the outputs T×O and their result matrix).
    /// </summary>
    [Fact]
    public void ForwardAllocatesNothingPerTimestep()
    {
        const int i = 3, h = 8, o = 5, layers = 2, directions = 2;
        RecurrentStack stack = StackCase.Stack("lstm", layers, true, i, h, o);
        Matrix<double> shortRun = Build.Random(10, i, 1), longRun = Build.Random(1000, i, 2);
        stack.Forward(shortRun);
        stack.Forward(longRun);
        long shortBytes = FastPathTests.Allocated(() => stack.Forward(shortRun));
        long longBytes = FastPathTests.Allocated(() => stack.Forward(longRun));
        long buffers = 990L * sizeof(double) * (i + layers * directions * h + 2 * o);
        Assert.True(Math.Abs(longBytes - shortBytes - buffers) <= 64, $"T=10: {shortBytes} B, T=1000: {longBytes} B, beyond the T-sized buffers: {longBytes - shortBytes - buffers} B");

        // The negative control: the same measure sees a per-timestep allocation (TimeStep allocates its 1×O result).
        RecurrentStack unidirectional = StackCase.Stack("lstm", layers, false, i, h, o);
        long perStep = FastPathTests.Allocated(() => { for (int t = 0; t < 990; t++) { unidirectional.TimeStep(shortRun.SubMatrix(0, 1, 0, i)); } });
        Assert.True(perStep > 990L * 8 * o);
    }
}
