using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// <see cref="RNN.ApplyUpdate"/>, the one way a parameter changes after construction: it writes the values
/// and the next forward pass computes with them (on the packed copies of the default kernel as on
/// MathNet's operators), and it refuses a bad update before it writes any.
/// </summary>
public sealed class ApplyUpdateTests
{
    [Fact]
    public void NextForwardPassUsesTheNewWeights()
    {
        RNN model = Build.Network(3, 5, 2, seed: 7, biases: true);
        Matrix<double> inputs = Build.Random(4, 3, seed: 8);
        Matrix<double> newRecurrent = Build.Random(5, 5, seed: 9);

        model.ApplyUpdate([(ParameterNames.RecurrentWeights, newRecurrent.ToColumnMajorArray())]);

        // A model built with the new weights from the start is the reference: two independent paths.
        RNN rebuilt = new(model.InputWeights, newRecurrent, model.OutputWeights, null, model.Activation, model.HiddenBias, model.OutputBias);
        Build.AssertBitIdentical(newRecurrent, model.RecurrentWeights);
        foreach (Kernel kernel in new[] { Kernel.Sequential, Kernel.MathNet })
        {
            model.Kernel = rebuilt.Kernel = kernel;
            model.Reset();
            rebuilt.Reset();
            Build.AssertBitIdentical(rebuilt.Forward(inputs).States, model.Forward(inputs).States);
        }
    }

    [Fact]
    public void RefusesAnUpdateForAParameterTheModelLacksWritingNothing()
    {
        RNN model = Build.Network(3, 5, 2, seed: 7, biases: false);
        Matrix<double>[] before = Build.Snapshot(model);

        var e = Assert.Throws<ArgumentException>(() => model.ApplyUpdate(
            [(ParameterNames.InputWeights, new double[15]), (ParameterNames.HiddenBias, new double[5])]));

        Assert.Contains("HiddenBias", e.Message, StringComparison.Ordinal);
        Build.AssertUnchanged(before, model);
    }

    [Fact]
    public void RefusesTheWrongNumberOfValuesWritingNothing()
    {
        RNN model = Build.Network(3, 5, 2, seed: 7);
        Matrix<double>[] before = Build.Snapshot(model);

        Assert.Throws<ArgumentException>(() => model.ApplyUpdate(
            [(ParameterNames.InputWeights, new double[15]), (ParameterNames.OutputWeights, new double[9])]));

        Build.AssertUnchanged(before, model);
    }

    [Fact]
    public void NegativeControlTheRightNumberOfValuesIsWritten()
    {
        RNN model = Build.Network(3, 5, 2, seed: 7);

        model.ApplyUpdate([(ParameterNames.InputWeights, new double[15]), (ParameterNames.OutputWeights, new double[10])]);

        Assert.All(model.InputWeights.Enumerate(), v => Assert.Equal(0.0, v));
        Assert.All(model.OutputWeights.Enumerate(), v => Assert.Equal(0.0, v));
    }
}
