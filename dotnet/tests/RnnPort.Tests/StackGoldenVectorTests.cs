using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Sdk;
using static RnnPort.Tests.GoldenVectors;

namespace RnnPort.Tests;

/// <summary>
/// The C# <see cref="RecurrentStack"/> and <see cref="StackBptt"/> against parity_tests/vectors/stack_sequence.json and
/// stack_loss_and_gradients.json (written by the NumPy exact stack), with no Python in the process: every expected
/// value must have the stored 64-bit pattern. The NumPy twin is python/tests/verify/test_stack_golden.py (generator: rnnport.verify.stack_golden).
/// Negative controls: a flipped bit, and a stack whose forward and reverse weights are exchanged, are caught.
/// </summary>
public sealed class StackGoldenVectorTests
{
    private const string Sequence = "stack_sequence.json", Gradients = "stack_loss_and_gradients.json";

    public static TheoryData<string> SequenceCases() => new(CaseNames(Sequence));

    public static TheoryData<string> GradientCases() => new(CaseNames(Gradients));

    /// <summary>The stack a case describes: NumPy arrays to the row convention (weights transposed, states as they are).</summary>
    private static RecurrentStack Stack(JsonElement inputs, Func<string, string>? rename = null)
    {
        JsonElement given = inputs.GetProperty("parameters");
        var parameters = given.EnumerateObject().ToDictionary(p => (rename ?? (n => n))(p.Name), p => Twin(given, p.Name));
        return new RecurrentStack(
            inputs.GetProperty("cell").GetString()!, parameters, inputs.GetProperty("num_layers").GetInt32(),
            inputs.GetProperty("bidirectional").GetBoolean(), ActivationFunctions.Parse(inputs.GetProperty("nonlinearity").GetString()!),
            OptionalTwin(inputs, "W_hy"), OptionalTwin(inputs, "b_y"), States(inputs, "h0"), States(inputs, "c0"));
    }

    /// <summary>An (L·D, H) array: the same layout in both languages.</summary>
    private static Matrix<double>? States(JsonElement inputs, string name) =>
        inputs.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? Rows(inputs, name) : null;

    /// <summary>Row-major values: NumPy's C order of a (T, n) or (L·D, H) array.</summary>
    private static double[] RowMajor(Matrix<double> m) => m.ToRowMajorArray();

    private static void AssertSequence(JsonElement inputs, JsonElement expected)
    {
        RecurrentStack stack = Stack(inputs);
        Matrix<double> xs = Rows(inputs, "xs");
        IReadOnlyList<Matrix<double>> layers = stack.LayerOutputs(xs);
        JsonElement[] wanted = expected.GetProperty("layer_outputs").EnumerateArray().ToArray();
        Assert.Equal(wanted.Length, layers.Count);
        for (int k = 0; k < layers.Count; k++)
        {
            AssertBits(JsonDocument.Parse($"{{\"layer {k}\": {wanted[k].GetRawText()}}}").RootElement, $"layer {k}", RowMajor(layers[k]));
        }

        StackOutput output = stack.Forward(xs);
        AssertBits(expected, "ys", RowMajor(output.Outputs));
        AssertBits(expected, "h_n", RowMajor(output.FinalStates));
        Assert.Equal(expected.TryGetProperty("c_n", out JsonElement c) && c.ValueKind != JsonValueKind.Null, output.FinalCellStates is not null);
        if (output.FinalCellStates is not null)
        {
            AssertBits(expected, "c_n", RowMajor(output.FinalCellStates));
        }
    }

    private static void AssertGradients(JsonElement inputs, JsonElement expected, Func<string, string>? rename = null)
    {
        StackBpttResult result = StackBptt.Run(Stack(inputs, rename), Rows(inputs, "xs"), Targets(inputs));
        AssertBits(expected, "loss", [result.Loss]);
        JsonElement gradients = expected.GetProperty("gradients");
        Assert.Equal(gradients.EnumerateObject().Select(g => g.Name).Order(StringComparer.Ordinal), result.Gradients.Names.Order(StringComparer.Ordinal));
        foreach (string name in result.Gradients.Names)
        {
            // a weight (G·H, I) in C order is the column-major storage of its I×G·H transpose; a bias the 1×n row's
            AssertBits(gradients, name, result.Gradients[name].ToColumnMajorArray());
        }

        AssertBits(expected, "h0", RowMajor(result.InitialStateGradients));
        AssertBits(expected, "h_n", RowMajor(result.FinalStates));
        if (result.FinalCellStates is not null)
        {
            AssertBits(expected, "c0", RowMajor(result.InitialCellStateGradients!));
            AssertBits(expected, "c_n", RowMajor(result.FinalCellStates));
        }
    }

    [Theory]
    [MemberData(nameof(SequenceCases))]
    public void ForwardAndLayerOutputsHaveTheStoredBits(string name)
    {
        (JsonElement inputs, JsonElement expected) = Case(Sequence, name);
        AssertSequence(inputs, expected);
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void LossGradientsAndStartGradientsHaveTheStoredBits(string name)
    {
        (JsonElement inputs, JsonElement expected) = Case(Gradients, name);
        AssertGradients(inputs, expected);
    }

    [Fact]
    public void TheFilesHoldEveryCellBidirectionalAndDeepCases()
    {
        foreach (string file in new[] { Sequence, Gradients })
        {
            var cells = CaseNames(file).Select(n => Case(file, n).Inputs).ToList();
            Assert.Equal(["gru", "lstm", "rnn"], cells.Select(i => i.GetProperty("cell").GetString()).Distinct().Order());
            Assert.Contains(cells, i => i.GetProperty("bidirectional").GetBoolean());
            Assert.Contains(cells, i => i.GetProperty("num_layers").GetInt32() >= 3);
        }
    }

    [Fact]
    public void AFlippedBitIsCaught()
    {
        string name = CaseNames(Sequence).First(n => n.StartsWith("lstm", StringComparison.Ordinal));
        (JsonElement inputs, JsonElement expected) = Case(Sequence, name);
        var ys = System.Text.Json.Nodes.JsonNode.Parse(expected.GetRawText())!;
        double first = ys["ys"]!["data"]![0]!.GetValue<double>();
        ys["ys"]!["data"]![0] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(first) ^ 1);
        JsonElement flipped = JsonDocument.Parse(ys.ToJsonString()).RootElement;
        Assert.Throws<TrueException>(() => AssertSequence(inputs, flipped));
    }

    [Fact]
    public void AStackWithItsDirectionsExchangedIsCaught()
    {
        string name = CaseNames(Gradients).First(n => Case(Gradients, n).Inputs.GetProperty("bidirectional").GetBoolean());
        (JsonElement inputs, JsonElement expected) = Case(Gradients, name);
        static string Swap(string n) => n.EndsWith("_reverse", StringComparison.Ordinal) ? n[..^"_reverse".Length] : n + "_reverse";
        Assert.ThrowsAny<XunitException>(() => AssertGradients(inputs, expected, Swap));
    }
}
