using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class RNNTests
{
    // The hand-worked case, row convention (C# layout), I = H = O = 2:
    //   inputWeights     = [[0.5, -1.0], [0.25, 2.0]]   (I×H)
    //   recurrentWeights = [[1.0,  0.5], [-0.5, 1.0]]   (H×H)
    //   outputWeights    = [[2.0,  0.0], [1.0, -1.0]]   (H×O)
    // Step 1, state0 = [0, 0], input1 = [1, 2]:
    //   input1·inputWeights = [1·0.5 + 2·0.25, 1·(-1) + 2·2] = [1, 3]; state0·recurrentWeights = [0, 0]
    //   relu: state1 = [1, 3]                       tanh: state1 = [tanh 1, tanh 3]
    //   output1 = state1·outputWeights
    //     relu: [1·2 + 3·1, 1·0 + 3·(-1)] = [5, -3] tanh: [2·tanh 1 + tanh 3, -tanh 3]
    // Step 2 (relu), input2 = [-2, 0]:
    //   state1·recurrentWeights = [1·1 + 3·(-0.5), 1·0.5 + 3·1] = [-0.5, 3.5]
    //   input2·inputWeights     = [-2·0.5, -2·(-1)] = [-1, 2]
    //   relu([-1.5, 5.5]) = [0, 5.5];  output2 = [0·2 + 5.5·1, 0·0 + 5.5·(-1)] = [5.5, -5.5]
    // Every number above is exact in binary64, so the relu case is compared with ==.
    private static RNN HandWorked(Activation activation) => new(
        Build.Rows([0.5, -1.0], [0.25, 2.0]),
        Build.Rows([1.0, 0.5], [-0.5, 1.0]),
        Build.Rows([2.0, 0.0], [1.0, -1.0]),
        activation: activation);

    [Fact]
    public void CanComputeHandWorkedReluCase()
    {
        RNN rnn = HandWorked(Activation.Relu);

        Build.AssertBitIdentical(Build.Row(5.0, -3.0), rnn.TimeStep(Build.Row(1.0, 2.0)));
        Build.AssertBitIdentical(Build.Row(1.0, 3.0), rnn.State);
        Build.AssertBitIdentical(Build.Row(5.5, -5.5), rnn.TimeStep(Build.Row(-2.0, 0.0)));
        Build.AssertBitIdentical(Build.Row(0.0, 5.5), rnn.State);
    }

    [Fact]
    public void CanComputeHandWorkedTanhCase()
    {
        RNN rnn = HandWorked(Activation.Tanh);

        Matrix<double> output = rnn.TimeStep(Build.Row(1.0, 2.0));

        Build.AssertBitIdentical(Build.Row(Math.Tanh(1.0), Math.Tanh(3.0)), rnn.State);
        Build.AssertBitIdentical(Build.Row(2.0 * Math.Tanh(1.0) + Math.Tanh(3.0), -Math.Tanh(3.0)), output);
    }

    [Fact]
    public void CanStepFromZeroStateUnlikeTheArticle()
    {
        RNN rnn = Build.Network(3, 4, 2, seed: 1);

        Build.AssertBitIdentical(Matrix<double>.Build.Dense(1, 4), rnn.State);
        Assert.Equal(2, rnn.TimeStep(Build.Row(0.1, 0.2, 0.3)).ColumnCount);
    }

    [Theory]
    [InlineData(Activation.Tanh, false, 0, false)]
    [InlineData(Activation.Tanh, false, 1, false)]
    [InlineData(Activation.Tanh, true, 50, false)]
    [InlineData(Activation.Relu, false, 50, false)]
    [InlineData(Activation.Relu, true, 7, false)]
    [InlineData(Activation.Tanh, false, 0, true)]
    [InlineData(Activation.Tanh, true, 50, true)]
    [InlineData(Activation.Relu, true, 50, true)]
    public void CanForwardExactlyAsRepeatedTimeStep(Activation activation, bool nonZeroInitialState, int steps, bool biases)
    {
        RNN stepped = Build.Network(5, 8, 3, seed: 10, activation, nonZeroInitialState, biases);
        RNN sequenced = Build.Network(5, 8, 3, seed: 10, activation, nonZeroInitialState, biases);
        Matrix<double> inputs = Build.Random(steps, 5, seed: 99, scale: 2.0);

        (Matrix<double> outputs, Matrix<double> states) = sequenced.Forward(inputs);

        Assert.Equal((steps, 3), (outputs.RowCount, outputs.ColumnCount));
        Assert.Equal((steps, 8), (states.RowCount, states.ColumnCount));
        for (int t = 0; t < steps; t++)
        {
            Build.AssertBitIdentical(stepped.TimeStep(inputs.SubMatrix(t, 1, 0, 5)), outputs.SubMatrix(t, 1, 0, 3));
            Build.AssertBitIdentical(stepped.State, states.SubMatrix(t, 1, 0, 8));
        }

        Build.AssertBitIdentical(stepped.State, sequenced.State);
    }

    [Fact]
    public void CanResetToInitialState()
    {
        RNN rnn = Build.Network(2, 3, 1, seed: 5, nonZeroInitialState: true);
        Matrix<double> initial = rnn.State;

        rnn.Forward(Build.Random(4, 2, seed: 6));
        Assert.NotEqual(initial, rnn.State);
        rnn.Reset();

        Build.AssertBitIdentical(initial, rnn.State);
        Build.AssertBitIdentical(initial, rnn.InitialState);
    }

    [Fact]
    public void CanHideStateAndWeightsBehindCopies()
    {
        Matrix<double> recurrent = Build.Random(3, 3, seed: 7);
        var rnn = new RNN(Build.Random(2, 3, seed: 8), recurrent, Build.Random(3, 1, seed: 9));
        Matrix<double> before = rnn.RecurrentWeights;

        recurrent[0, 0] = 42.0;
        rnn.State[0, 0] = 42.0;
        rnn.RecurrentWeights[0, 0] = 42.0;

        Build.AssertBitIdentical(before, rnn.RecurrentWeights);
        Build.AssertBitIdentical(Matrix<double>.Build.Dense(1, 3), rnn.State);
    }

    [Fact]
    public void CanSetStateForTeacherForcing()
    {
        RNN forced = Build.Network(2, 3, 1, seed: 12);
        RNN stepped = Build.Network(2, 3, 1, seed: 12);
        Matrix<double> inputs = Build.Random(2, 2, seed: 13);
        stepped.TimeStep(inputs.SubMatrix(0, 1, 0, 2));
        Matrix<double> given = stepped.State;

        forced.State = given;
        given[0, 0] = 42.0;

        Build.AssertBitIdentical(stepped.State, forced.State);
        Build.AssertBitIdentical(stepped.TimeStep(inputs.SubMatrix(1, 1, 0, 2)), forced.TimeStep(inputs.SubMatrix(1, 1, 0, 2)));
    }

    [Theory]
    [InlineData("tanh", Activation.Tanh)]
    [InlineData("relu", Activation.Relu)]
    public void CanParseActivationNamesOfTheNumPySide(string name, Activation expected)
    {
        Assert.Equal(expected, ActivationFunctions.Parse(name));
        Assert.Equal(name, ActivationFunctions.Name(expected));
    }

    [Theory]
    [InlineData(-0.0, 0.0)]
    [InlineData(-1.5, 0.0)]
    [InlineData(2.5, 2.5)]
    public void CanMapReluOfNegativeZeroToPositiveZero(double a, double expected)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ActivationFunctions.Apply(Activation.Relu, a)));
    }
}
