using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using static RnnPort.Tests.GoldenVectors;

namespace RnnPort.Tests;

/// <summary>
/// The C# RNN against parity_tests/vectors/*.json, with no Python in the process: every expected
/// value must have the stored 64-bit pattern. The files are linked into this project, not copied
/// (see the csproj); parity_tests/vectors/README.md says where they come from.
/// </summary>
public sealed class GoldenVectorTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string behaviour in new[] { "single_step", "sequence", "loss_and_gradients", "sgd_step", "adagrad_step", "sampling" })
        {
            foreach (string name in CaseNames(FileName("rnn", behaviour)))
            {
                data.Add(behaviour, name);
            }
        }

        return data;
    }

    [Fact]
    public void CanFindEveryVectorFile()
    {
        Assert.Equal(12, Cases().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CanReproduceEveryBit(string behaviour, string caseName)
    {
        (JsonElement inputs, JsonElement expected) = Case(FileName("rnn", behaviour), caseName);
        RNN model = Model(inputs);

        switch (behaviour)
        {
            case "single_step":
                AssertBits(expected, "y", model.TimeStep(Twin(inputs, "x")).ToColumnMajorArray());
                AssertBits(expected, "h", model.State.ToColumnMajorArray());
                break;
            case "sequence":
                (Matrix<double> outputs, Matrix<double> states) = model.Forward(Rows(inputs, "xs"));
                AssertBits(expected, "ys", outputs.ToRowMajorArray());
                AssertBits(expected, "hs", states.ToRowMajorArray());
                break;
            case "loss_and_gradients":
                BpttResult result = Bptt.Run(model, Rows(inputs, "xs"), Targets(inputs), Twin(inputs, "h_prev"));
                AssertBits(expected, "loss", [result.Loss]);
                AssertBits(expected, "h_last", result.FinalState.ToColumnMajorArray());
                AssertGradients(expected, result.Gradients);
                break;
            case "sgd_step":
            case "adagrad_step":
                double rate = inputs.GetProperty("learning_rate").GetDouble();
                IOptimizer optimizer = behaviour == "sgd_step" ? new Sgd(rate) : new Adagrad(rate);
                AssertTraining(inputs, expected, model, optimizer);
                break;
            case "sampling":
                IReadOnlyList<int> picks = Sampler.Sample(
                    model, inputs.GetProperty("seed_index").GetInt32(), Data(inputs.GetProperty("uniforms")),
                    inputs.GetProperty("temperature").GetDouble());
                Assert.Equal(expected.GetProperty("picks").EnumerateArray().Select(p => p.GetInt32()), picks);
                break;
            default:
                Assert.Fail($"unknown behaviour {behaviour}");
                break;
        }
    }

    private static void AssertTraining(JsonElement inputs, JsonElement expected, RNN model, IOptimizer optimizer)
    {
        var losses = new List<double>();
        Matrix<double> state = Twin(inputs, "h_prev");
        for (int update = 0; update < inputs.GetProperty("updates").GetInt32(); update++)
        {
            BpttResult result = Bptt.Run(model, Rows(inputs, "xs"), Targets(inputs), state);
            Bptt.ClipElementwise(result.Gradients, inputs.GetProperty("clip").GetDouble());
            Bptt.ClipGlobalNorm(result.Gradients, inputs.GetProperty("clip_norm").GetDouble());
            optimizer.Step(model, result.Gradients);
            losses.Add(result.Loss);
            state = result.FinalState;
        }

        AssertBits(expected, "losses", [.. losses]);
        AssertBits(expected, "W_xh", model.InputWeights.ToColumnMajorArray());
        AssertBits(expected, "W_hh", model.RecurrentWeights.ToColumnMajorArray());
        AssertBits(expected, "W_hy", model.OutputWeights.ToColumnMajorArray());
        AssertBits(expected, "b_h", model.HiddenBias!.ToColumnMajorArray());
        AssertBits(expected, "b_y", model.OutputBias!.ToColumnMajorArray());
    }

    private static void AssertGradients(JsonElement expected, Gradients gradients)
    {
        AssertBits(expected, "dW_xh", gradients.InputWeights.ToColumnMajorArray());
        AssertBits(expected, "dW_hh", gradients.RecurrentWeights.ToColumnMajorArray());
        AssertBits(expected, "dW_hy", gradients.OutputWeights.ToColumnMajorArray());
        AssertBits(expected, "db_h", gradients.HiddenBias!.ToColumnMajorArray());
        AssertBits(expected, "db_y", gradients.OutputBias!.ToColumnMajorArray());
        AssertBits(expected, "dh0", gradients.InitialState.ToColumnMajorArray());
    }

    private static RNN Model(JsonElement inputs) => new(
        Twin(inputs, "W_xh"),
        Twin(inputs, "W_hh"),
        Twin(inputs, "W_hy"),
        Twin(inputs, "h0"),
        ActivationFunctions.Parse(inputs.GetProperty("activation").GetString()!),
        OptionalTwin(inputs, "b_h"),
        OptionalTwin(inputs, "b_y"));
}
