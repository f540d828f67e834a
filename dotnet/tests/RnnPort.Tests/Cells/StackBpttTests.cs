using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// <see cref="StackBptt"/>: central differences for every parameter and for h0/c0 (every cell, bidirectional, L = 3,
/// with and without biases and W_hy), bit for bit the cells' BPTT for one layer, and the optimisers' contract. Bit
/// parity with the NumPy twin is the golden vectors and parity_tests/test_stack_parity.py.
/// </summary>
public sealed class StackBpttTests
{
    private const double Target = 1e-6;

    public static TheoryData<string, int, bool, bool, bool, Activation> Cases => new()
    {
        { "rnn", 3, true, true, true, Activation.Tanh },
        { "rnn", 2, false, false, false, Activation.Relu },
        { "lstm", 3, true, true, true, Activation.Tanh },
        { "lstm", 2, true, false, false, Activation.Tanh },
        { "gru", 3, true, true, false, Activation.Tanh },
        { "gru", 1, false, false, true, Activation.Tanh },
    };

    private static (RecurrentStack Stack, Matrix<double> Inputs, int[] Targets) Case(
        string cell, int layers, bool bidirectional, bool biases, bool outputWeights, Activation f = Activation.Tanh, int seed = 3)
    {
        RecurrentStack stack = StackCase.Stack(cell, layers, bidirectional, 3, 3, outputWeights ? 4 : 0, biases, seed: seed, nonlinearity: f);
        return (stack, Build.Random(6, 3, seed + 20, 1.5), Build.Targets(6, stack.OutputSize, seed + 30));
    }

    /// <summary>The largest relative error per parameter, h0 and c0, over a few elements each, the start states held fixed.</summary>
    private static Dictionary<string, double> FiniteDifferences(RecurrentStack stack, Matrix<double> inputs, int[] targets, StackGradients analytic)
    {
        const double eps = 1e-5;
        Matrix<double> h0 = stack.State;
        Matrix<double>? c0 = stack.CellState;
        var trainable = (ITrainable)stack;
        var items = trainable.Parameters().Select(p => (p.Name, p.Value.Clone(), analytic[p.Name])).ToList();
        items.Add(("h0", h0, analytic.InitialStates));
        if (c0 is not null)
        {
            items.Add(("c0", c0, analytic.InitialCellStates!));
        }

        double Loss() => StackBptt.Run(stack, inputs, targets, h0, c0).Loss;
        var random = new Random(0);
        var worst = new Dictionary<string, double>();
        foreach ((string name, Matrix<double> p, Matrix<double> gradient) in items)
        {
            double max = 0.0;
            for (int sample = 0; sample < 4; sample++)
            {
                int r = random.Next(p.RowCount), c = random.Next(p.ColumnCount);
                double old = p[r, c];
                Set(trainable, name, p, r, c, old + eps);
                double plus = Loss();
                Set(trainable, name, p, r, c, old - eps);
                double minus = Loss();
                Set(trainable, name, p, r, c, old);
                double numeric = (plus - minus) / (2 * eps), a = gradient[r, c];
                // relative, with a floor: central differences of a loss near 8 carry ~1e-10 of noise (measured), which a
                // deep layer's gradients of 1e-6 would otherwise turn into a large relative error
                max = Math.Max(max, Math.Abs(a - numeric) / (Math.Abs(a) + Math.Abs(numeric) + 1e-3));
            }

            worst[name] = max;
        }

        return worst;
    }

    private static void Set(ITrainable stack, string name, Matrix<double> p, int r, int c, double value)
    {
        p[r, c] = value;  // h0 and c0 are passed as they are; a parameter goes through ApplyUpdate (it repacks)
        if (name is not ("h0" or "c0"))
        {
            stack.ApplyUpdate([(name, p.ToColumnMajorArray())]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsPassTheFiniteDifferenceCheck(string cell, int layers, bool bidirectional, bool biases, bool outputWeights, Activation f)
    {
        (RecurrentStack stack, Matrix<double> inputs, int[] targets) = Case(cell, layers, bidirectional, biases, outputWeights, f);
        Dictionary<string, double> worst = FiniteDifferences(stack, inputs, targets, StackBptt.Run(stack, inputs, targets).Gradients);
        int perDirection = biases ? 4 : 2, directions = bidirectional ? 2 : 1;
        Assert.Equal(layers * directions * perDirection + (outputWeights ? 2 : 0) + (cell == "lstm" ? 2 : 1), worst.Count);
        Assert.All(worst, pair => Assert.True(pair.Value < Target, $"{pair.Key}: {pair.Value}"));
    }

    [Fact]
    public void TheCheckFailsWhenTheDirectionsGradientsAreSwapped()
    {
        // Negative control: the reverse direction's gradients reported as the forward one's (and back).
        (RecurrentStack stack, Matrix<double> inputs, int[] targets) = Case("lstm", 2, true, true, true);
        StackGradients g = StackBptt.Run(stack, inputs, targets).Gradients;
        Matrix<double> forward = g["weight_hh_l0"].Clone();
        g["weight_hh_l0_reverse"].CopyTo(g["weight_hh_l0"]);
        forward.CopyTo(g["weight_hh_l0_reverse"]);
        Dictionary<string, double> worst = FiniteDifferences(stack, inputs, targets, g);
        Assert.True(worst["weight_hh_l0"] > 1e-3 && worst["weight_hh_l0_reverse"] > 1e-3, string.Join(", ", worst));
        Assert.True(worst["weight_hh_l1"] < Target);
    }

    [Fact]
    public void OneLstmLayerIsTheLstmsBpttBitForBit()
    {
        var p = StackCase.Parameters("lstm", 1, false, 3, 4, biases: true, seed: 3);
        Matrix<double> wy = Build.Random(4, 5, 4), by = Build.Random(1, 5, 5), h0 = Build.Random(1, 4, 6), c0 = Build.Random(1, 4, 7);
        var cell = new LSTM(p["weight_ih_l0"], p["weight_hh_l0"], wy, h0, c0, p["bias_ih_l0"], p["bias_hh_l0"], by);
        var stack = new RecurrentStack("lstm", p, 1, outputWeights: wy, outputBias: by, initialStates: h0, initialCellStates: c0);
        Matrix<double> xs = Build.Random(7, 3, 8, 1.5);
        int[] targets = Build.Targets(7, 5, 9);
        LstmBpttResult expected = LstmBptt.Run(cell, xs, targets);
        StackBpttResult got = StackBptt.Run(stack, xs, targets);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Loss), BitConverter.DoubleToInt64Bits(got.Loss));
        LstmGradients e = expected.Gradients;
        foreach ((Matrix<double> want, string name) in new[]
                 {
                     (e.InputWeights, "weight_ih_l0"), (e.RecurrentWeights, "weight_hh_l0"), (e.InputBias!, "bias_ih_l0"),
                     (e.RecurrentBias!, "bias_hh_l0"), (e.OutputWeights, "W_hy"), (e.OutputBias!, "b_y"),
                 })
        {
            Build.AssertBitIdentical(want, got.Gradients[name]);
        }

        Build.AssertBitIdentical(e.InitialState, got.InitialStateGradients);
        Build.AssertBitIdentical(e.InitialCellState, got.InitialCellStateGradients!);
        Build.AssertBitIdentical(expected.FinalCellState, got.FinalCellStates!);
        Assert.NotEqual(BitConverter.DoubleToInt64Bits(e.InitialState[0, 0]), BitConverter.DoubleToInt64Bits(got.Gradients["W_hy"][0, 0]));
    }

    [Fact]
    public void OneGruLayerIsTheGrusBpttAndOneRnnLayerWithoutBiasesTheRnnsBitForBit()
    {
        var p = StackCase.Parameters("gru", 1, false, 3, 4, biases: true, seed: 13);
        Matrix<double> wy = Build.Random(4, 5, 14), by = Build.Random(1, 5, 15), h0 = Build.Random(1, 4, 16);
        Matrix<double> xs = Build.Random(7, 3, 8, 1.5);
        int[] targets = Build.Targets(7, 5, 9);
        GruBpttResult gru = GruBptt.Run(new GRU(p["weight_ih_l0"], p["weight_hh_l0"], wy, h0, p["bias_ih_l0"], p["bias_hh_l0"], by), xs, targets);
        StackBpttResult stack = StackBptt.Run(new RecurrentStack("gru", p, 1, outputWeights: wy, outputBias: by, initialStates: h0), xs, targets);
        Build.AssertBitIdentical(gru.Gradients.InputWeights, stack.Gradients["weight_ih_l0"]);
        Build.AssertBitIdentical(gru.Gradients.RecurrentWeights, stack.Gradients["weight_hh_l0"]);
        Build.AssertBitIdentical(gru.Gradients.RecurrentBias!, stack.Gradients["bias_hh_l0"]);
        Build.AssertBitIdentical(gru.Gradients.OutputWeights, stack.Gradients["W_hy"]);
        Build.AssertBitIdentical(gru.Gradients.InitialState, stack.InitialStateGradients);

        foreach (Activation f in new[] { Activation.Tanh, Activation.Relu })
        {
            var q = StackCase.Parameters("rnn", 1, false, 3, 4, biases: false, seed: 23);
            BpttResult rnn = Bptt.Run(new RNN(q["weight_ih_l0"], q["weight_hh_l0"], wy, h0, f), xs, targets);
            StackBpttResult s = StackBptt.Run(new RecurrentStack("rnn", q, 1, nonlinearity: f, outputWeights: wy, initialStates: h0), xs, targets);
            Assert.Equal(BitConverter.DoubleToInt64Bits(rnn.Loss), BitConverter.DoubleToInt64Bits(s.Loss));
            Build.AssertBitIdentical(rnn.Gradients.InputWeights, s.Gradients["weight_ih_l0"]);
            Build.AssertBitIdentical(rnn.Gradients.RecurrentWeights, s.Gradients["weight_hh_l0"]);
            Build.AssertBitIdentical(rnn.Gradients.OutputWeights, s.Gradients["W_hy"]);
            Build.AssertBitIdentical(rnn.Gradients.InitialState, s.InitialStateGradients);
        }
    }

    [Fact]
    public void BpttChangesNothingAndItsFinalStatesAreForwards()
    {
        (RecurrentStack stack, Matrix<double> inputs, int[] targets) = Case("lstm", 2, true, true, true);
        Matrix<double>[] before = StackCase.Snapshot(stack);
        StackBpttResult result = StackBptt.Run(stack, inputs, targets);
        StackCase.AssertUnchanged(before, stack);
        StackOutput forward = stack.Forward(inputs);
        Build.AssertBitIdentical(forward.FinalStates, result.FinalStates);
        Build.AssertBitIdentical(forward.FinalCellStates!, result.FinalCellStates!);
        Assert.Equal(Loss.CrossEntropy(forward.Outputs, targets), result.Loss);
    }

    [Fact]
    public void BadArgumentsAreRefusedBeforeAnyWork()
    {
        (RecurrentStack stack, Matrix<double> inputs, int[] targets) = Case("gru", 2, true, true, false);
        Assert.Throws<ShapeMismatchException>(() => StackBptt.Run(stack, inputs, targets, Build.Random(3, 3, 1)));
        Assert.Equal("c0: only the lstm has a cell state, not the gru",
                     Assert.Throws<ArgumentException>(() => StackBptt.Run(stack, inputs, targets, null, Build.Random(4, 3, 1))).Message.Split(" (Parameter")[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => StackBptt.Run(stack, inputs, targets.Select(_ => 6).ToArray()));
        Assert.Throws<ArgumentException>(() => StackBptt.Run(stack, inputs.SubMatrix(0, 0, 0, 3), []));
        Assert.Equal(2 * 2 * 4, StackBptt.Run(stack, inputs, targets.Select(_ => 5).ToArray()).Gradients.Names.Count);  // the control: O = D·H = 6
    }

    [Fact]
    public void OptimisersAndClippingTakeStackGradients()
    {
        foreach (IOptimizer optimiser in new IOptimizer[] { new Sgd(0.1), new Adagrad(0.1) })
        {
            (RecurrentStack stack, Matrix<double> inputs, int[] targets) = Case("lstm", 2, true, true, true);
            double first = 0.0, last = 0.0;
            for (int i = 0; i < 15; i++)
            {
                StackBpttResult result = StackBptt.Run(stack, inputs, targets, stack.InitialStates, stack.InitialCellStates);
                Bptt.ClipElementwise(result.Gradients, 5.0);
                Assert.True(Bptt.ClipGlobalNorm(result.Gradients, 100.0) > 0.0);
                optimiser.Step(stack, result.Gradients);
                (first, last) = (i == 0 ? result.Loss : first, result.Loss);
            }

            Assert.True(last < first, $"{first} → {last}");
        }

        // Gradients of another parameter set are refused, nothing written.
        (RecurrentStack a, Matrix<double> xs, int[] ts) = Case("lstm", 2, true, true, true);
        (RecurrentStack b, _, _) = Case("lstm", 2, true, false, true);
        Matrix<double>[] before = StackCase.Snapshot(a);
        Assert.Throws<ArgumentException>(() => new Sgd(0.1).Step(a, StackBptt.Run(b, xs, ts).Gradients));
        StackCase.AssertUnchanged(before, a);
    }

    [Fact]
    public void ANonFiniteGradientIsRefusedNamingTheParameterInNumPyTerms()
    {
        // relu, tiny W_ih and W_hh, a huge W_hy: the outputs (~W_hy·W_ih·x) stay finite, dW_ih (~x·W_hy) overflows.
        var p = new Dictionary<string, Matrix<double>>
        {
            ["weight_ih_l0"] = Matrix<double>.Build.Dense(1, 2, 1e-20), ["weight_hh_l0"] = Matrix<double>.Build.Dense(2, 2, 1e-20),
        };
        var stack = new RecurrentStack("rnn", p, 1, nonlinearity: Activation.Relu, outputWeights: Matrix<double>.Build.Dense(2, 2, (_, o) => o == 0 ? 1e300 : 0.0));
        int[] targets = [0, 1];
        var error = Assert.Throws<NonFiniteResultException>(() => StackBptt.Run(stack, Matrix<double>.Build.Dense(2, 1, 1e10), targets));
        Assert.Equal("bptt: the gradient of weight_ih_l0 is not finite (element (0, 0) is inf)", error.Message);
        Assert.True(double.IsFinite(StackBptt.Run(stack, Matrix<double>.Build.Dense(2, 1, 1e5), targets).Loss));  // the control
    }
}
