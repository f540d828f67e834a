using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// What <see cref="RecurrentStack"/> refuses (docs/stacks.md, "Construction" and "Running"): one line naming the key,
/// the NumPy twin's words and NumPy shapes, and a model left as it was.
/// </summary>
public sealed class StackRejectionTests
{
    private static Dictionary<string, Matrix<double>> Lstm2() => StackCase.Parameters("lstm", 2, false, 5, 3, biases: true, seed: 1);

    private static string Refusal<T>(Action construct) where T : Exception => Assert.Throws<T>(construct).Message.Split(" (Parameter")[0];

    [Fact]
    public void AGoodDictionaryIsAccepted() => Assert.Equal(2, new RecurrentStack("lstm", Lstm2(), 2).NumLayers);  // the control of the refusals below

    [Fact]
    public void MissingAndExtraKeysAreNamed()
    {
        var p = Lstm2();
        p.Remove("weight_hh_l1");
        Assert.Equal("weight_hh_l1: missing (a 2-layer unidirectional lstm stack needs it)", Refusal<ArgumentException>(() => new RecurrentStack("lstm", p, 2)));

        p = Lstm2();
        p["weight_ih_l2"] = p["weight_ih_l1"];
        Assert.Equal("weight_ih_l2: not a parameter of a 2-layer unidirectional lstm stack", Refusal<ArgumentException>(() => new RecurrentStack("lstm", p, 2)));

        p = Lstm2();
        p["weight_ih_l0_reverse"] = p["weight_ih_l0"];
        Assert.StartsWith("weight_ih_l0_reverse: not a parameter", Refusal<ArgumentException>(() => new RecurrentStack("lstm", p, 2)));

        p = Lstm2();
        p["weight_hr_l0"] = p["weight_hh_l0"];
        Assert.Equal("weight_hr_l0: proj_size > 0 (LSTM projections) is not supported", Refusal<ArgumentException>(() => new RecurrentStack("lstm", p, 2)));

        p = Lstm2();
        p.Remove("bias_hh_l1");
        Assert.Equal("bias_hh_l1: missing (the biases are all present or all absent)", Refusal<ArgumentException>(() => new RecurrentStack("lstm", p, 2)));
    }

    [Fact]
    public void ShapesAreNamedInNumPyTerms()
    {
        var p = StackCase.Parameters("lstm", 2, false, 5, 3, biases: true, seed: 1);
        p["weight_ih_l1"] = Build.Random(5, 12, 2);  // (12, 5): layer 1 takes D·H = 3 inputs
        Assert.Equal("weight_ih_l1 has shape (12, 5), expected (12, 3)", Refusal<ShapeMismatchException>(() => new RecurrentStack("lstm", p, 2)));

        p = Lstm2();
        p["bias_ih_l0"] = Build.Random(1, 11, 2);
        Assert.Equal("bias_ih_l0 has shape (11,), expected (12,)", Refusal<ShapeMismatchException>(() => new RecurrentStack("lstm", p, 2)));

        Assert.Equal("W_hy has shape (4, 2), expected (O, 3)",
                     Refusal<ShapeMismatchException>(() => new RecurrentStack("lstm", Lstm2(), 2, outputWeights: Build.Random(2, 4, 3))));
        Assert.Equal("h0 has shape (1, 3), expected (2, 3)",
                     Refusal<ShapeMismatchException>(() => new RecurrentStack("lstm", Lstm2(), 2, initialStates: Build.Random(1, 3, 3))));
    }

    [Fact]
    public void TheRestIsRefusedWithOneLine()
    {
        Assert.Equal("b_y: given without W_hy (the output bias belongs to the output layer)",
                     Refusal<ArgumentException>(() => new RecurrentStack("lstm", Lstm2(), 2, outputBias: Build.Random(1, 3, 3))));
        Assert.Equal("num_layers must be at least 1, got 0", Refusal<ArgumentOutOfRangeException>(() => new RecurrentStack("lstm", Lstm2(), 0)).Split('\n')[0].Trim());
        Assert.Equal("unknown cell 'lstmx': expected 'rnn', 'lstm' or 'gru'", Refusal<ArgumentException>(() => new RecurrentStack("lstmx", Lstm2(), 2)));
        Assert.Equal("nonlinearity 'relu': only the rnn cell has one to choose ('tanh' for lstm)",
                     Refusal<ArgumentException>(() => new RecurrentStack("lstm", Lstm2(), 2, nonlinearity: Activation.Relu)));
        Assert.Equal("c0: only the lstm has a cell state, not the gru",
                     Refusal<ArgumentException>(() => new RecurrentStack("gru", StackCase.Parameters("gru", 1, false, 2, 2, true, 1), 1, initialCellStates: Build.Random(1, 2, 1))));

        var p = Lstm2();
        p["weight_hh_l1"] = p["weight_hh_l1"].Clone();
        p["weight_hh_l1"][2, 7] = double.NaN;  // NumPy (7, 2)
        Assert.Equal("weight_hh_l1 must be finite, but element (2, 7) is NaN", Refusal<NonFiniteValueException>(() => new RecurrentStack("lstm", p, 2)));
        Assert.Throws<ArgumentNullException>(() => new RecurrentStack("lstm", null!, 2));
    }

    [Fact]
    public void ABidirectionalStackRefusesAStepAndStaysAsItWas()
    {
        RecurrentStack stack = StackCase.Stack("gru", 2, true);
        Matrix<double>[] before = StackCase.Snapshot(stack);
        var error = Assert.Throws<InvalidOperationException>(() => stack.TimeStep(Build.Random(1, 3, 1)));
        Assert.Equal("step: a bidirectional stack runs whole sequences only; use forward", error.Message);
        StackCase.AssertUnchanged(before, stack);
        StackCase.Stack("gru", 2, false).TimeStep(Build.Random(1, 3, 1));  // the control: a unidirectional one steps
    }

    [Fact]
    public void BadInputsLeaveTheStackAsItWas()
    {
        RecurrentStack stack = StackCase.Stack("lstm", 2, true);
        Matrix<double>[] before = StackCase.Snapshot(stack);
        Matrix<double> nan = Build.Random(4, 3, 1);
        nan[2, 1] = double.PositiveInfinity;
        Assert.Equal("inputs must be finite, but element (2, 1) is Infinity", Refusal<NonFiniteValueException>(() => stack.Forward(nan)));
        Assert.Throws<ShapeMismatchException>(() => stack.Forward(Build.Random(4, 2, 1)));
        Assert.Throws<ShapeMismatchException>(() => stack.State = Build.Random(3, 4, 1));
        Assert.Throws<ShapeMismatchException>(() => stack.LayerOutputs(Build.Random(4, 4, 1)));
        StackCase.AssertUnchanged(before, stack);
    }

    [Fact]
    public void ANonFiniteResultIsRefusedNamingTheStepAndTheStateIsUnchanged()
    {
        var p = StackCase.Parameters("rnn", 2, true, 3, 2, biases: false, seed: 5, scale: 1e200).ToDictionary(q => q.Key, q => q.Value.PointwiseAbs());
        var stack = new RecurrentStack("rnn", p, 2, true, Activation.Relu);
        Matrix<double>[] before = StackCase.Snapshot(stack);
        var xs = Matrix<double>.Build.Dense(3, 3, 1e200);
        var error = Assert.Throws<NonFiniteResultException>(() => stack.Forward(xs));
        Assert.Matches(@"^forward: the state of layer 0 at step \d is not finite \(element \d is inf\)$", error.Message);
        StackCase.AssertUnchanged(before, stack);

        stack.CheckResults = false;  // the control: without the check the overflow goes through
        Assert.Contains(stack.Forward(xs).Outputs.Enumerate(), v => !double.IsFinite(v));
    }
}
