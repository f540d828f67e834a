using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Sdk;
using static RnnPort.Tests.GoldenVectors;

namespace RnnPort.Tests;

/// <summary>
/// The C# LSTM and GRU against parity_tests/vectors/lstm_*.json and gru_*.json, with no Python in the
/// process: every expected value must have the stored 64-bit pattern (the NumPy twin is
/// python/tests/verify/test_golden_vectors.py). Both cells go through one small registry, <see cref="Cells"/>;
/// negative controls show that a flipped bit, the LSTM's gates in the wrong order and a GRU without its
/// recurrent bias are caught.
/// </summary>
public sealed class GatedGoldenVectorTests
{
    private static readonly string[] Behaviours = ["single_step", "sequence", "loss_and_gradients", "sgd_step", "adagrad_step"];

    /// <summary>The C# names of a gated cell's parameters, by their NumPy names (torch's layout).</summary>
    private static readonly Dictionary<string, string> NumPyName = new()
    {
        [ParameterNames.InputWeights] = "W_ih", [ParameterNames.RecurrentWeights] = "W_hh",
        [ParameterNames.OutputWeights] = "W_hy", [ParameterNames.InputBias] = "b_ih",
        [ParameterNames.RecurrentBias] = "b_hh", [ParameterNames.OutputBias] = "b_y",
    };

    /// <summary>One gated cell as the behaviours need it; <c>States</c> are the NumPy state names, ("h") or ("h", "c").</summary>
    private interface IGoldenCell
    {
        string[] States { get; }

        ITrainable Model { get; }

        Matrix<double> TimeStep(Matrix<double> input);

        Matrix<double> State(string name);

        Matrix<double>[] Forward(Matrix<double> inputs);

        (double Loss, IParameterGradients Gradients, Matrix<double>[] Last, Matrix<double>[] StartGradients) Bptt(
            Matrix<double> inputs, int[] targets, Matrix<double>[] starts);
    }

    private sealed class LstmCell(LSTM model) : IGoldenCell
    {
        public string[] States => ["h", "c"];

        public ITrainable Model => model;

        public Matrix<double> TimeStep(Matrix<double> input) => model.TimeStep(input);

        public Matrix<double> State(string name) => name == "h" ? model.State : model.CellState;

        public Matrix<double>[] Forward(Matrix<double> inputs)
        {
            (Matrix<double> ys, Matrix<double> hs, Matrix<double> cs) = model.Forward(inputs);
            return [ys, hs, cs];
        }

        public (double, IParameterGradients, Matrix<double>[], Matrix<double>[]) Bptt(Matrix<double> inputs, int[] targets, Matrix<double>[] starts)
        {
            LstmBpttResult r = LstmBptt.Run(model, inputs, targets, starts[0], starts[1]);
            return (r.Loss, r.Gradients, [r.FinalState, r.FinalCellState], [r.Gradients.InitialState, r.Gradients.InitialCellState]);
        }
    }

    private sealed class GruCell(GRU model) : IGoldenCell
    {
        public string[] States => ["h"];

        public ITrainable Model => model;

        public Matrix<double> TimeStep(Matrix<double> input) => model.TimeStep(input);

        public Matrix<double> State(string name) => model.State;

        public Matrix<double>[] Forward(Matrix<double> inputs)
        {
            (Matrix<double> ys, Matrix<double> hs) = model.Forward(inputs);
            return [ys, hs];
        }

        public (double, IParameterGradients, Matrix<double>[], Matrix<double>[]) Bptt(Matrix<double> inputs, int[] targets, Matrix<double>[] starts)
        {
            GruBpttResult r = GruBptt.Run(model, inputs, targets, starts[0]);
            return (r.Loss, r.Gradients, [r.FinalState], [r.Gradients.InitialState]);
        }
    }

    /// <summary>The registry: a cell's name → its C# model built from a vector file's inputs (NumPy layout).</summary>
    private static readonly Dictionary<string, Func<JsonElement, IGoldenCell>> Cells = new()
    {
        ["lstm"] = i => new LstmCell(new LSTM(Twin(i, "W_ih"), Twin(i, "W_hh"), Twin(i, "W_hy"), Twin(i, "h0"), Twin(i, "c0"),
                                              OptionalTwin(i, "b_ih"), OptionalTwin(i, "b_hh"), OptionalTwin(i, "b_y"))),
        ["gru"] = i => new GruCell(new GRU(Twin(i, "W_ih"), Twin(i, "W_hh"), Twin(i, "W_hy"), Twin(i, "h0"),
                                           OptionalTwin(i, "b_ih"), OptionalTwin(i, "b_hh"), OptionalTwin(i, "b_y"))),
    };

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string cell in Cells.Keys)
        {
            foreach (string behaviour in Behaviours)
            {
                foreach (string name in CaseNames(FileName(cell, behaviour)))
                {
                    data.Add(cell, behaviour, name);
                }
            }
        }

        return data;
    }

    [Fact]
    public void CanFindEveryGatedVectorFile()
    {
        Assert.Equal(2 * 5 * 2, Cases().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CanReproduceEveryBit(string cell, string behaviour, string caseName)
    {
        (JsonElement inputs, JsonElement expected) = Case(FileName(cell, behaviour), caseName);
        Check(Cells[cell](inputs), behaviour, inputs, expected);
    }

    [Fact]
    public void NegativeControlAFlippedBitIsCaught()
    {
        (JsonElement inputs, JsonElement expected) = Case(FileName("gru", "single_step"), "biases");
        IGoldenCell gru = Cells["gru"](inputs);
        double[] y = gru.TimeStep(Twin(inputs, "x")).ToColumnMajorArray();
        AssertBits(expected, "y", y);
        y[0] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(y[0]) ^ 1);
        Assert.Throws<TrueException>(() => AssertBits(expected, "y", y));
    }

    [Fact]
    public void NegativeControlLstmGatesInTheWrongOrderMissTheVectors()
    {
        (JsonElement inputs, JsonElement expected) = Case(FileName("lstm", "single_step"), "biases");
        int h = Twin(inputs, "h0").ColumnCount;
        Matrix<double> SwapIF(string name)
        {
            Matrix<double> m = Twin(inputs, name);  // columns [i | f | g | o], H each
            Matrix<double> swapped = m.Clone();
            swapped.SetSubMatrix(0, 0, m.SubMatrix(0, m.RowCount, h, h));
            swapped.SetSubMatrix(0, h, m.SubMatrix(0, m.RowCount, 0, h));
            return swapped;
        }

        var lstm = new LstmCell(new LSTM(SwapIF("W_ih"), SwapIF("W_hh"), Twin(inputs, "W_hy"), Twin(inputs, "h0"), Twin(inputs, "c0"),
                                         SwapIF("b_ih"), SwapIF("b_hh"), Twin(inputs, "b_y")));
        Assert.Throws<TrueException>(() => Check(lstm, "single_step", inputs, expected));
    }

    [Fact]
    public void NegativeControlGruWithoutItsRecurrentBiasMissesTheVectors()
    {
        (JsonElement inputs, JsonElement expected) = Case(FileName("gru", "sequence"), "biases");
        var gru = new GruCell(new GRU(Twin(inputs, "W_ih"), Twin(inputs, "W_hh"), Twin(inputs, "W_hy"), Twin(inputs, "h0"),
                                      Twin(inputs, "b_ih"), null, Twin(inputs, "b_y")));
        Assert.Throws<TrueException>(() => Check(gru, "sequence", inputs, expected));
    }

    private static void Check(IGoldenCell cell, string behaviour, JsonElement inputs, JsonElement expected)
    {
        switch (behaviour)
        {
            case "single_step":
                AssertBits(expected, "y", cell.TimeStep(Twin(inputs, "x")).ToColumnMajorArray());
                foreach (string state in cell.States)
                {
                    AssertBits(expected, state, cell.State(state).ToColumnMajorArray());
                }

                break;
            case "sequence":
                Matrix<double>[] runs = cell.Forward(Rows(inputs, "xs"));
                string[] names = ["ys", .. cell.States.Select(s => s + "s")];
                for (int k = 0; k < names.Length; k++)
                {
                    AssertBits(expected, names[k], runs[k].ToRowMajorArray());
                }

                break;
            case "loss_and_gradients":
                var (loss, gradients, last, startGradients) = cell.Bptt(Rows(inputs, "xs"), Targets(inputs), Starts(cell, inputs));
                AssertBits(expected, "loss", [loss]);
                for (int k = 0; k < cell.States.Length; k++)
                {
                    AssertBits(expected, cell.States[k] + "_last", last[k].ToColumnMajorArray());
                    AssertBits(expected, "d" + cell.States[k] + "0", startGradients[k].ToColumnMajorArray());
                }

                AssertParameters(expected, "d", gradients.Parameters());
                break;
            case "sgd_step":
            case "adagrad_step":
                double rate = inputs.GetProperty("learning_rate").GetDouble();
                IOptimizer optimizer = behaviour == "sgd_step" ? new Sgd(rate) : new Adagrad(rate);
                AssertTraining(cell, inputs, expected, optimizer);
                break;
            default:
                Assert.Fail($"unknown behaviour {behaviour}");
                break;
        }
    }

    private static Matrix<double>[] Starts(IGoldenCell cell, JsonElement inputs) =>
        cell.States.Select(s => Twin(inputs, s + "_prev")).ToArray();

    private static void AssertTraining(IGoldenCell cell, JsonElement inputs, JsonElement expected, IOptimizer optimizer)
    {
        var losses = new List<double>();
        Matrix<double>[] starts = Starts(cell, inputs);
        for (int update = 0; update < inputs.GetProperty("updates").GetInt32(); update++)
        {
            var (loss, gradients, last, _) = cell.Bptt(Rows(inputs, "xs"), Targets(inputs), starts);
            RnnPort.Bptt.ClipElementwise(gradients, inputs.GetProperty("clip").GetDouble());
            RnnPort.Bptt.ClipGlobalNorm(gradients, inputs.GetProperty("clip_norm").GetDouble());
            optimizer.Step(cell.Model, gradients);
            losses.Add(loss);
            starts = last;
        }

        AssertBits(expected, "losses", [.. losses]);
        AssertParameters(expected, "", cell.Model.Parameters());
    }

    /// <summary>Every parameter (or gradient, <paramref name="prefix"/> "d") the file holds, and no other.</summary>
    private static void AssertParameters(JsonElement expected, string prefix, IReadOnlyList<(string Name, Matrix<double> Value)> parameters)
    {
        string[] stored = expected.EnumerateObject().Select(p => p.Name)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && NumPyName.ContainsValue(n[prefix.Length..])).Order().ToArray();
        Assert.Equal(stored, parameters.Select(p => prefix + NumPyName[p.Name]).Order().ToArray());
        foreach ((string name, Matrix<double> value) in parameters)
        {
            AssertBits(expected, prefix + NumPyName[name], value.ToColumnMajorArray());
        }
    }
}
