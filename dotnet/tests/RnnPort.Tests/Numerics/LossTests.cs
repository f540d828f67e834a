using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class LossTests
{
    [Fact]
    public void CanComputeSoftmaxRowsSummingToOne()
    {
        Matrix<double> p = Loss.Softmax(Build.Random(7, 9, seed: 1, scale: 5.0));

        for (int t = 0; t < 7; t++)
        {
            Assert.Equal(1.0, p.Row(t).Sum(), 14);
            Assert.All(p.Row(t), v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    [Fact]
    public void CanComputeSoftmaxOfHugeScoresWithoutOverflow()
    {
        // exp(1000) overflows and exp(-1000) underflows; after subtracting the row's maximum neither does.
        Matrix<double> p = Loss.Softmax(Build.Rows([1000.0, 1000.0, -1000.0, -1000.0], [-1000.0, -1000.0, -1000.0, -1000.0]));

        Build.AssertBitIdentical(Build.Rows([0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]), p);
    }

    [Fact]
    public void CanComputeSoftmaxWithTemperature()
    {
        Matrix<double> scores = Build.Row(1.0, 2.0, 3.0);

        Matrix<double> hot = Loss.Softmax(scores, 0.5);

        // z = y / 0.5 = [2, 4, 6]; p = exp(z − 6) / Σ, summed left to right.
        double e0 = Math.Exp(2.0 - 6.0), e1 = Math.Exp(4.0 - 6.0), e2 = Math.Exp(0.0);
        double s = e0 + e1 + e2;
        Build.AssertBitIdentical(Build.Row(e0 / s, e1 / s, e2 / s), hot);
        Assert.True(hot[0, 2] > Loss.Softmax(scores)[0, 2]);
    }

    [Fact]
    public void CanComputeHandWorkedCrossEntropy()
    {
        // Step 0: y = [0, ln 3], target 1: log(1 + 3) − ln 3 … with m = ln 3: log(1/3 + 1) − 0 = ln(4/3).
        // Step 1: y = [2, 2], target 0: log 2. Total ln(4/3) + ln 2 = ln(8/3).
        Matrix<double> outputs = Build.Rows([0.0, Math.Log(3.0)], [2.0, 2.0]);

        double loss = Loss.CrossEntropy(outputs, [1, 0]);

        Assert.Equal(Math.Log(8.0 / 3.0), loss, 15);
    }

    [Fact]
    public void CanComputeCrossEntropyOfHugeScoresFinitely()
    {
        double loss = Loss.CrossEntropy(Build.Row(1000.0, -1000.0), [1]);

        Assert.Equal(2000.0, loss);  // −log softmax = 2000 exactly; a naive log(p) would be −log(0) = ∞
    }

    [Fact]
    public void RejectsEmptySequence()
    {
        var error = Assert.Throws<ArgumentException>(() => Loss.CrossEntropy(Matrix<double>.Build.Dense(0, 3), []));

        Assert.StartsWith("the loss needs a sequence of at least one step, got T=0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsTargetsOfWrongLengthNamingBoth()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => Loss.CrossEntropy(Build.Random(3, 4, seed: 1), [0, 1]));

        Assert.Equal(("(3,)", "(2,)"), (error.Expected, error.Actual));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void RejectsTargetOutsideVocabularyNamingStep(int bad)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.CrossEntropy(Build.Random(3, 4, seed: 1), [0, bad, 1]));

        Assert.Contains($"targets[1] = {bad} is outside the vocabulary [0, 4)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsBadTemperature(double temperature)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Softmax(Build.Row(1.0, 2.0), temperature));
    }
}
