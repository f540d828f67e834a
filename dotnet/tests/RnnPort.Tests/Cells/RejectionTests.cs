using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>Every shape and value error, and the promise that a rejected call changes nothing.</summary>
public sealed class RejectionTests
{
    private const int I = 3, H = 4, O = 2;

    private static Matrix<double> Z(int rows, int columns) => Matrix<double>.Build.Dense(rows, columns);

    private static Matrix<double> WithValue(Matrix<double> m, double value)
    {
        Matrix<double> copy = m.Clone();
        copy[copy.RowCount - 1, copy.ColumnCount - 1] = value;
        return copy;
    }

    public static TheoryData<string, Func<RNN>, string, string> ConstructorShapeErrors => new()
    {
        { "initialRecurrentWeights", () => new RNN(Z(I, H), Z(H + 1, H), Z(H, O)), "4×4", "5×4" },
        { "initialInputWeights", () => new RNN(Z(I, H + 1), Z(H, H), Z(H, O)), "I×4", "3×5" },
        { "initialOutputWeights", () => new RNN(Z(I, H), Z(H, H), Z(H - 1, O)), "4×2", "3×2" },
        { "initialState", () => new RNN(Z(I, H), Z(H, H), Z(H, O), Z(H, 1)), "1×4", "4×1" },
        { "initialState", () => new RNN(Z(I, H), Z(H, H), Z(H, O), Z(1, H + 1)), "1×4", "1×5" },
    };

    [Theory]
    [MemberData(nameof(ConstructorShapeErrors))]
    public void RejectsConstructorShapesNamingBoth(string paramName, Func<RNN> construct, string expected, string actual)
    {
        var error = Assert.Throws<ShapeMismatchException>(construct);

        Assert.Equal(paramName, error.ParamName);
        Assert.Equal((expected, actual), (error.Expected, error.Actual));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(actual, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, double.NaN)]
    [InlineData(1, double.PositiveInfinity)]
    [InlineData(2, double.NegativeInfinity)]
    [InlineData(3, double.NaN)]
    public void RejectsNonFiniteWeightsAndInitialState(int which, double value)
    {
        Matrix<double>[] args = [Build.Random(I, H, 1), Build.Random(H, H, 2), Build.Random(H, O, 3), Build.Random(1, H, 4)];
        args[which] = WithValue(args[which], value);

        var error = Assert.Throws<NonFiniteValueException>(() => new RNN(args[0], args[1], args[2], args[3]));

        Assert.Contains("must be finite", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two NaNs in a weight: the one reported is the first in column-major order, which is the first in
    /// C order of the NumPy twin (the transpose), as NumPy reports it; a row-major walk would report
    /// (0, 1). Inputs (T×I, not transposed) report the first in row-major order.
    /// </summary>
    [Fact]
    public void ReportsTheNonFiniteElementNumPyReports()
    {
        Matrix<double> inputWeights = Build.Random(I, H, 1);
        inputWeights[0, 1] = double.NaN;
        inputWeights[1, 0] = double.NaN;

        var error = Assert.Throws<NonFiniteValueException>(() => new RNN(inputWeights, Z(H, H), Z(H, O)));
        Assert.Equal((1, 0), (error.Row, error.Column));

        var model = new RNN(Z(I, H), Z(H, H), Z(H, O));
        var inputs = Z(3, I);
        inputs[1, 0] = double.NaN;
        inputs[0, 2] = double.PositiveInfinity;
        var inputError = Assert.Throws<NonFiniteValueException>(() => model.Forward(inputs));
        Assert.Equal((0, 2, double.PositiveInfinity), (inputError.Row, inputError.Column, inputError.Value));
    }

    [Fact]
    public void RejectsNullWeights()
    {
        Assert.Throws<ArgumentNullException>(() => new RNN(null!, Z(H, H), Z(H, O)));
        Assert.Throws<ArgumentNullException>(() => new RNN(Z(I, H), null!, Z(H, O)));
        Assert.Throws<ArgumentNullException>(() => new RNN(Z(I, H), Z(H, H), null!));
    }

    [Fact]
    public void RejectsUndefinedActivation()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RNN(Z(I, H), Z(H, H), Z(H, O), activation: (Activation)7));
        var error = Assert.Throws<ArgumentException>(() => ActivationFunctions.Parse("sigmoid"));
        Assert.Contains("'tanh' or 'relu'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Rejected calls on a model that has already stepped: the error, and the state after it.</summary>
    public static TheoryData<string, Action<RNN>, Type> RejectedCalls => new()
    {
        { "TimeStep: too few columns", rnn => rnn.TimeStep(Z(1, I - 1)), typeof(ShapeMismatchException) },
        { "TimeStep: too many columns", rnn => rnn.TimeStep(Z(1, I + 1)), typeof(ShapeMismatchException) },
        { "TimeStep: two rows", rnn => rnn.TimeStep(Z(2, I)), typeof(ShapeMismatchException) },
        { "TimeStep: column vector", rnn => rnn.TimeStep(Z(I, 1)), typeof(ShapeMismatchException) },
        { "TimeStep: null", rnn => rnn.TimeStep(null!), typeof(ArgumentNullException) },
        { "TimeStep: NaN", rnn => rnn.TimeStep(WithValue(Z(1, I), double.NaN)), typeof(NonFiniteValueException) },
        { "TimeStep: +Inf", rnn => rnn.TimeStep(WithValue(Z(1, I), double.PositiveInfinity)), typeof(NonFiniteValueException) },
        { "Forward: wrong columns", rnn => rnn.Forward(Z(5, I + 1)), typeof(ShapeMismatchException) },
        { "Forward: transposed", rnn => rnn.Forward(Z(I, 5)), typeof(ShapeMismatchException) },
        { "Forward: null", rnn => rnn.Forward(null!), typeof(ArgumentNullException) },
        { "State: wrong length", rnn => rnn.State = Z(1, H + 1), typeof(ShapeMismatchException) },
        { "State: column", rnn => rnn.State = Z(H, 1), typeof(ShapeMismatchException) },
        { "State: NaN", rnn => rnn.State = WithValue(Z(1, H), double.NaN), typeof(NonFiniteValueException) },
        { "State: null", rnn => rnn.State = null!, typeof(ArgumentNullException) },
        { "Forward: NaN in last step", rnn => rnn.Forward(WithValue(Build.Random(6, I, 1), double.NaN)), typeof(NonFiniteValueException) },
    };

    [Theory]
    [MemberData(nameof(RejectedCalls))]
    public void RejectsBadCallsLeavingStateUnchanged(string label, Action<RNN> call, Type expectedError)
    {
        RNN rnn = Build.Network(I, H, O, seed: 3);
        rnn.Forward(Build.Random(3, I, seed: 4));
        Matrix<double> before = rnn.State;

        Exception error = Assert.ThrowsAny<ArgumentException>(() => call(rnn));

        Assert.True(expectedError == error.GetType(), $"{label}: expected {expectedError.Name}, got {error.GetType().Name}: {error.Message}");
        Build.AssertBitIdentical(before, rnn.State);
    }

    [Fact]
    public void RejectsTimeStepShapeNamingBoth()
    {
        RNN rnn = Build.Network(I, H, O, seed: 3);

        var error = Assert.Throws<ShapeMismatchException>(() => rnn.TimeStep(Z(1, 5)));

        Assert.Equal("input has shape 1×5, expected 1×3 (Parameter 'input')", error.Message);
    }
}
