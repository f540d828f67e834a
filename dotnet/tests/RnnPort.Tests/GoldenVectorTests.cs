using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// The C# model against parity_tests/vectors/*.json, with no Python in the process: every expected
/// value must have the stored 64-bit pattern. The files are linked into this project, not copied
/// (see the csproj); parity_tests/vectors/README.md says where they come from.
/// </summary>
public sealed class GoldenVectorTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors");

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string behaviour in new[] { "single_step", "sequence", "loss_and_gradients", "sgd_step", "adagrad_step", "sampling" })
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, behaviour + ".json")));
            foreach (JsonElement testCase in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                data.Add(behaviour, testCase.GetProperty("name").GetString()!);
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
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, behaviour + ".json")));
        JsonElement testCase = document.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == caseName);
        JsonElement inputs = testCase.GetProperty("inputs");
        JsonElement expected = testCase.GetProperty("expected");
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
        inputs.TryGetProperty("b_h", out _) ? Twin(inputs, "b_h") : null,
        inputs.TryGetProperty("b_y", out _) ? Twin(inputs, "b_y") : null);

    /// <summary>
    /// The C# twin of a NumPy array: (H, I) in C order is, read column-major, the I×H transpose, so the
    /// stored data builds it without moving an element; an (n,) vector becomes the 1×n row.
    /// </summary>
    private static Matrix<double> Twin(JsonElement inputs, string name)
    {
        JsonElement array = inputs.GetProperty(name);
        int[] shape = array.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        double[] data = Data(array.GetProperty("data"));
        return shape.Length == 1
            ? Matrix<double>.Build.Dense(1, shape[0], data)
            : Matrix<double>.Build.Dense(shape[1], shape[0], data);
    }

    /// <summary>A (T, I) sequence in the same layout, T×I: the one array that is not transposed.</summary>
    private static Matrix<double> Rows(JsonElement inputs, string name) => Twin(inputs, name).Transpose();

    private static int[] Targets(JsonElement inputs) =>
        inputs.GetProperty("targets").EnumerateArray().Select(t => t.GetInt32()).ToArray();

    private static double[] Data(JsonElement array) =>
        (array.ValueKind == JsonValueKind.Object ? array.GetProperty("data") : array).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void AssertBits(JsonElement expected, string name, double[] actual)
    {
        JsonElement value = expected.GetProperty(name);
        double[] wanted = value.ValueKind == JsonValueKind.Number ? [value.GetDouble()] : Data(value);
        Assert.True(wanted.Length == actual.Length, $"{name}: {actual.Length} values, expected {wanted.Length}");
        for (int i = 0; i < wanted.Length; i++)
        {
            long w = BitConverter.DoubleToInt64Bits(wanted[i]), a = BitConverter.DoubleToInt64Bits(actual[i]);
            Assert.True(w == a, $"{name}[{i}]: expected {wanted[i]:R}, got {actual[i]:R}");
        }
    }
}
