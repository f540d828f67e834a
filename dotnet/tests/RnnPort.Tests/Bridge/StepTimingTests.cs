using MathNet.Numerics.LinearAlgebra;
using RnnPort.Bridge;

namespace RnnPort.Tests;

public sealed class StepTimingTests
{
    [Fact]
    public void CanRunBothLoopsFromTheInitialStateToTheSameFinalState()
    {
        RNN looped = Build.Network(4, 9, 3, seed: 30, nonZeroInitialState: true, biases: true);
        RNN forwarded = Build.Network(4, 9, 3, seed: 30, nonZeroInitialState: true, biases: true);
        RNN reference = Build.Network(4, 9, 3, seed: 30, nonZeroInitialState: true, biases: true);
        Matrix<double> inputs = Build.Random(25, 4, seed: 31);
        looped.TimeStep(Build.Random(1, 4, seed: 32));    // a state the loops must reset away
        forwarded.TimeStep(Build.Random(1, 4, seed: 32));

        StepTiming.TimeStepLoop(looped, inputs);
        StepTiming.Forward(forwarded, inputs);

        Matrix<double> states = reference.Forward(inputs).States;
        Build.AssertBitIdentical(states.SubMatrix(24, 1, 0, 9), looped.State);
        Build.AssertBitIdentical(states.SubMatrix(24, 1, 0, 9), forwarded.State);
    }

    [Fact]
    public void CanTakeTheTanhOfEveryElementInPlace()
    {
        Matrix<double> values = Build.Random(7, 3, seed: 36);
        double[] before = values.ToColumnMajorArray();

        StepTiming.TanhLoop(values);

        double[] after = values.ToColumnMajorArray();
        Assert.Equal(before.Select(v => BitConverter.DoubleToInt64Bits(Math.Tanh(v))), after.Select(BitConverter.DoubleToInt64Bits));
        Assert.NotEqual(before, after);  // the control: the values did change
        Assert.Throws<ArgumentNullException>(() => StepTiming.TanhLoop(null!));
    }

    [Fact]
    public void CanRejectWrongWidthWithoutResetting()
    {
        RNN model = Build.Network(4, 5, 2, seed: 33);
        model.TimeStep(Build.Random(1, 4, seed: 34));
        Matrix<double> before = model.State;

        Assert.Throws<ShapeMismatchException>(() => StepTiming.TimeStepLoop(model, Build.Random(3, 5, seed: 35)));
        Assert.Throws<ShapeMismatchException>(() => StepTiming.Forward(model, Build.Random(3, 5, seed: 35)));
        Assert.Throws<ArgumentNullException>(() => StepTiming.Forward(model, null!));

        Build.AssertBitIdentical(before, model.State);
    }
}
