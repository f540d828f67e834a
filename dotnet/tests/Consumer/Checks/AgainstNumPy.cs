using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using RnnPort;

namespace Consumer.Checks;

/// <summary>
/// Runs the models Python saved (rnn.npz, lstm.npz, gru.npz in a folder, with a request.json) through the
/// package and prints JSON: forward outputs, step-by-step outputs, samples, then the losses of a few
/// BPTT + clip + Adagrad steps and the outputs after them. package_tests/test_nuget_package.py compares
/// every number with NumPy's exact mode, bit for bit (JSON doubles round-trip).
/// </summary>
internal static class AgainstNumPy
{
    internal static void Run(string folder)
    {
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "request.json")))!.AsObject();
        string text = (string)request["text"]!;
        double[] uniforms = request["uniforms"]!.AsArray().Select(u => (double)u!).ToArray();
        int steps = (int)request["steps"]!, length = (int)request["length"]!;
        double learningRate = (double)request["learning_rate"]!, clip = (double)request["clip"]!;

        var report = new JsonObject();
        foreach (string cell in new[] { "rnn", "lstm", "gru" })
        {
            ModelFileContents file = ModelFile.Load(Path.Combine(folder, cell + ".npz"));
            IRecurrentCell model = file.Cell;
            Vocabulary vocabulary = file.Vocabulary!;
            int[] data = vocabulary.Encode(text);
            Matrix<double> xs = Vocabulary.OneHot(data[..^1], vocabulary.Count);

            var result = new JsonObject
            {
                ["cell"] = file.CellName,
                ["forward"] = Rows(Forward(model, xs)),
            };
            model.Reset();
            result["steps"] = Rows(Matrix<double>.Build.DenseOfRows(
                    Enumerable.Range(0, xs.RowCount).Select(t => model.TimeStep(xs.SubMatrix(t, 1, 0, xs.ColumnCount)).Row(0))));
            model.Reset();
            result["samples"] = new JsonArray(Sampler.Sample(model, data[0], uniforms).Select(i => (JsonNode)i).ToArray());
            result["losses"] = new JsonArray(Train(model, data, steps, length, learningRate, clip).Select(l => (JsonNode)l).ToArray());
            model.Reset();
            result["trained_forward"] = Rows(Forward(model, xs));
            report[cell] = result;
        }

        Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    private static Matrix<double> Forward(IRecurrentCell model, Matrix<double> xs) => model switch
    {
        RNN rnn => rnn.Forward(xs).Outputs,
        LSTM lstm => lstm.Forward(xs).Outputs,
        GRU gru => gru.Forward(xs).Outputs,
        _ => throw new ArgumentException($"unknown cell {model.GetType().Name}", nameof(model)),
    };

    /// <summary>Chunks of <paramref name="length"/> from the start of the text, the state (and an LSTM's c) carried.</summary>
    private static List<double> Train(IRecurrentCell model, int[] data, int steps, int length, double learningRate, double clip)
    {
        var optimizer = new Adagrad(learningRate);
        var losses = new List<double>();
        Matrix<double> h = model.InitialState;
        Matrix<double>? c = (model as LSTM)?.InitialCellState;
        for (int step = 0; step < steps; step++)
        {
            int p = step * length;
            Matrix<double> inputs = Vocabulary.OneHot(data[p..(p + length)], model.InputSize);
            int[] targets = data[(p + 1)..(p + length + 1)];
            double loss;
            IParameterGradients gradients;
            switch (model)
            {
                case RNN rnn:
                    BpttResult r = Bptt.Run(rnn, inputs, targets, h);
                    (loss, gradients, h) = (r.Loss, r.Gradients, r.FinalState);
                    break;
                case LSTM lstm:
                    LstmBpttResult l = LstmBptt.Run(lstm, inputs, targets, h, c);
                    (loss, gradients, h, c) = (l.Loss, l.Gradients, l.FinalState, l.FinalCellState);
                    break;
                case GRU gru:
                    GruBpttResult g = GruBptt.Run(gru, inputs, targets, h);
                    (loss, gradients, h) = (g.Loss, g.Gradients, g.FinalState);
                    break;
                default:
                    throw new ArgumentException($"unknown cell {model.GetType().Name}", nameof(model));
            }

            Bptt.ClipElementwise(gradients, clip);
            optimizer.Step((ITrainable)model, gradients);
            losses.Add(loss);
        }

        return losses;
    }

    private static JsonArray Rows(Matrix<double> m) =>
        new(m.EnumerateRows().Select(row => (JsonNode)new JsonArray(row.Select(v => (JsonNode)v).ToArray())).ToArray());
}
