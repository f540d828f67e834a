using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>Seeded stacks for the tests: torch-named parameters in the row convention (weights transposed, 1×G·H biases).</summary>
internal static class StackCase
{
    internal static int Gates(string cell) => cell switch { "rnn" => 1, "lstm" => 4, _ => 3 };

    /// <summary>The parameter dictionary of an L-layer, D-direction stack of <paramref name="cell"/>, I inputs, H hidden units.</summary>
    internal static Dictionary<string, Matrix<double>> Parameters(string cell, int layers, bool bidirectional, int inputs, int hidden, bool biases, int seed, double scale = 0.5)
    {
        int g = Gates(cell) * hidden, directions = bidirectional ? 2 : 1;
        var parameters = new Dictionary<string, Matrix<double>>();
        int n = 0;
        for (int k = 0; k < layers; k++)
        {
            for (int d = 0; d < directions; d++)
            {
                string s = $"_l{k}{(d == 1 ? "_reverse" : "")}";
                parameters["weight_ih" + s] = Build.Random(k == 0 ? inputs : directions * hidden, g, seed + n++, scale);
                parameters["weight_hh" + s] = Build.Random(hidden, g, seed + n++, scale);
                if (biases)
                {
                    parameters["bias_ih" + s] = Build.Random(1, g, seed + n++, scale);
                    parameters["bias_hh" + s] = Build.Random(1, g, seed + n++, scale);
                }
            }
        }

        return parameters;
    }

    /// <summary>A seeded stack; W_hy (D·H×O) and b_y when <paramref name="outputs"/> &gt; 0, non-zero start states.</summary>
    internal static RecurrentStack Stack(string cell, int layers, bool bidirectional, int inputs = 3, int hidden = 4, int outputs = 5,
                                         bool biases = true, bool outputBias = true, int seed = 7, Activation nonlinearity = Activation.Tanh)
    {
        int directions = bidirectional ? 2 : 1, rows = layers * directions;
        return new RecurrentStack(
            cell, Parameters(cell, layers, bidirectional, inputs, hidden, biases, seed), layers, bidirectional, nonlinearity,
            outputs > 0 ? Build.Random(directions * hidden, outputs, seed + 100) : null,
            outputs > 0 && outputBias ? Build.Random(1, outputs, seed + 101) : null,
            Build.Random(rows, hidden, seed + 102),
            cell == "lstm" ? Build.Random(rows, hidden, seed + 103) : null);
    }

    /// <summary>Every parameter and state of the stack, copied.</summary>
    internal static Matrix<double>[] Snapshot(RecurrentStack stack) =>
        ((ITrainable)stack).Parameters().Select(p => p.Value.Clone())
            .Append(stack.State).Append(stack.CellState ?? Matrix<double>.Build.Dense(1, 1)).ToArray();

    internal static void AssertUnchanged(Matrix<double>[] before, RecurrentStack stack)
    {
        Matrix<double>[] now = Snapshot(stack);
        Assert.Equal(before.Length, now.Length);
        for (int i = 0; i < before.Length; i++)
        {
            Build.AssertBitIdentical(before[i], now[i]);
        }
    }

    /// <summary>The rows of <paramref name="m"/> in reverse order.</summary>
    internal static Matrix<double> Reversed(Matrix<double> m) =>
        Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (r, c) => m[m.RowCount - 1 - r, c]);
}
