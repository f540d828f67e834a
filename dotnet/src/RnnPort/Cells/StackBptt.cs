using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Backpropagation through time for <see cref="RecurrentStack"/>, softmax cross-entropy on every output, in the order of
/// docs/stacks.md ("BPTT"), so that every gradient is bit-identical to the NumPy twin's exact mode. NumPy twin:
/// <c>rnnport.cells.stack_bptt.bptt</c>.
/// <code>
/// 1. dy_t = softmax(y_t) − onehot(target_t); dW_hy += out_t·dy_t, db_y += dy_t (t = T−1 … 0); dout_t = dy_t·W_hyᵀ (or dy_t)
/// 2. layers k = L−1 … 0, the forward direction first, then the reverse: the cell's backward step
///    (<see cref="Bptt.BackwardStep"/>, <see cref="LstmBptt.BackwardStep"/>, <see cref="GruBptt.BackwardStep"/>) in the reverse of
///    the direction's forward order, with dh = dout_t[d·H : (d+1)·H] + dh_next
/// 3. layer k−1's dout_t = the forward direction's dx_t (+ the reverse's): dx_t,i = Σ_r W_ih[r, i]·dgi_r
/// 4. each direction's last dh_next (dc_next) is the gradient of its row of h0 (c0)
/// </code>
/// </summary>
public static class StackBptt
{
    /// <summary>
    /// Loss and gradients of one chunk from the given start states (the stack's current ones when null); changes
    /// nothing. NumPy twin: <c>bptt(stack, xs, targets, h0, c0)</c>.
    /// </summary>
    /// <param name="stack">The stack; read, never written.</param>
    /// <param name="inputs">T×I, T ≥ 1.</param>
    /// <param name="targets">T class indices in [0, O).</param>
    /// <param name="initialStates">(L·D)×H or null.</param>
    /// <param name="initialCellStates">(L·D)×H or null; the LSTM's only.</param>
    /// <returns>The loss, the gradients, the gradients of h0 (c0), the final states (cell states).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stack"/>, <paramref name="inputs"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ShapeMismatchException">A shape does not fit.</exception>
    /// <exception cref="NonFiniteValueException">The inputs or a start state hold NaN or ±Infinity.</exception>
    /// <exception cref="ArgumentException">T = 0, a target outside [0, O), or cell states for a stack without them.</exception>
    /// <exception cref="NonFiniteResultException">A state or output, the loss, or a gradient is not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static StackBpttResult Run(RecurrentStack stack, Matrix<double> inputs, IReadOnlyList<int> targets,
                                      Matrix<double>? initialStates = null, Matrix<double>? initialCellStates = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        BpttArguments.CheckChunk(inputs, targets, stack.InputSize, stack.OutputSize);
        int layers = stack.NumLayers, directions = stack.Directions, hidden = stack.HiddenSize, rows = layers * directions;
        bool lstm = stack.Gates == 4, gru = stack.Gates == 3, tanh = stack.Nonlinearity == Activation.Tanh;
        StackLayout.CheckStates(initialStates, rows, hidden, "h0");
        if (initialStates is not null)
        {
            Guard.IsFiniteByRows(initialStates, "h0");
        }

        if (initialCellStates is not null && !lstm)
        {
            throw new ArgumentException($"c0: only the lstm has a cell state, not the {stack.CellName}", nameof(initialCellStates));
        }

        StackLayout.CheckStates(initialCellStates, rows, hidden, "c0");
        if (initialCellStates is not null)
        {
            Guard.IsFiniteByRows(initialCellStates, "c0");
        }

        double[] h0 = initialStates is null ? (double[])stack.LiveStates.Clone() : initialStates.ToRowMajorArray();
        double[]? c0 = !lstm ? null : initialCellStates is null ? (double[])stack.LiveCellStates!.Clone() : initialCellStates.ToRowMajorArray();

        int steps = inputs.RowCount, width = directions * hidden, outputSize = stack.OutputSize;
        StackRun run = stack.Run(inputs.ToRowMajorArray(), steps, h0, c0, tape: true);
        stack.RefuseNonFinite(run, "forward");
        Matrix<double> ys = Matrix<double>.Build.DenseOfRowMajor(steps, outputSize, run.Outputs);
        double loss = Loss.CrossEntropyUnchecked(ys, targets);
        double[] p = ColumnMajor.Storage(Loss.Softmax(ys));  // T×O: (t, o) at t + o·T

        var parameters = new List<(string Name, Matrix<double> Value)>();
        foreach ((string name, Matrix<double> value) in stack.Parameters())
        {
            parameters.Add((name, Matrix<double>.Build.Dense(value.RowCount, value.ColumnCount)));
        }

        var gradients = new StackGradients(
            parameters, Matrix<double>.Build.Dense(rows, hidden), lstm ? Matrix<double>.Build.Dense(rows, hidden) : null);
        double[] dh0 = new double[rows * hidden], dc0 = new double[rows * hidden];

        // 1. The output layer: dy_t for every t, then dout_t.
        double[] top = run.LayerOutputs[layers - 1];
        var dout = new double[steps * width];
        var dy = new double[outputSize];
        Matrix<double>? outputWeights = stack.LiveOutputWeights;
        double[]? dOut = outputWeights is null ? null : ColumnMajor.Storage(gradients["W_hy"]);  // D·H×O: (j, o) at j + o·D·H
        double[]? dOutBias = stack.LiveOutputBias is null ? null : ColumnMajor.Storage(gradients["b_y"]);
        double[]? w = outputWeights is null ? null : ColumnMajor.Storage(outputWeights);
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int o = 0; o < outputSize; o++)
            {
                dy[o] = p[t + o * steps];
            }

            dy[targets[t]] -= 1.0;
            Span<double> doutT = dout.AsSpan(t * width, width);
            if (dOut is null)
            {
                dy.CopyTo(doutT);
                continue;
            }

            for (int o = 0; o < outputSize; o++)
            {
                for (int j = 0; j < width; j++)
                {
                    dOut[j + o * width] += top[t * width + j] * dy[o];
                }

                if (dOutBias is not null)
                {
                    dOutBias[o] += dy[o];
                }
            }

            // dout_t,j = +0.0 + Σ_o dy_o·W_hy[o, j], o ascending; o outside so W is read by columns.
            for (int o = 0; o < outputSize; o++)
            {
                double dyo = dy[o];
                for (int j = 0; j < width; j++)
                {
                    doutT[j] += dyo * w![j + o * width];
                }
            }
        }

        // 2–4. The layers, top down.
        var scratch = new double[11 * hidden];
        Span<double> dh = scratch.AsSpan(0, hidden), dhNext = scratch.AsSpan(hidden, hidden), dcNext = scratch.AsSpan(2 * hidden, hidden);
        Span<double> da = scratch.AsSpan(3 * hidden, 4 * hidden), dgh = scratch.AsSpan(7 * hidden, 3 * hidden);
        double[]? below = layers > 1 ? new double[steps * width] : null, reverseBelow = layers > 1 && directions == 2 ? new double[steps * width] : null;
        for (int k = layers - 1; k >= 0; k--)
        {
            double[] input = k == 0 ? run.Inputs : run.LayerOutputs[k - 1];
            int inputSize = k == 0 ? stack.InputSize : width;
            double[] output = run.LayerOutputs[k];
            for (int d = 0; d < directions; d++)
            {
                int row = k * directions + d;
                string suffix = StackLayout.Suffix(k, d);
                LayerWeights weights = stack.Layer(k, d);
                double[] dIn = ColumnMajor.Storage(gradients["weight_ih" + suffix]), dRec = ColumnMajor.Storage(gradients["weight_hh" + suffix]);
                double[]? dBih = stack.HasBiases ? ColumnMajor.Storage(gradients["bias_ih" + suffix]) : null;
                double[]? dBhh = stack.HasBiases ? ColumnMajor.Storage(gradients["bias_hh" + suffix]) : null;
                double[]? tape = run.Tapes?[row], cells = run.CellStates?[row];
                double[]? dx = k == 0 ? null : d == 0 ? below : reverseBelow;
                dhNext.Clear();
                dcNext.Clear();
                for (int n = 0; n < steps; n++)
                {
                    int t = d == 0 ? steps - 1 - n : n, previous = d == 0 ? t - 1 : t + 1;
                    bool first = previous < 0 || previous >= steps;  // the direction's first step: its start state precedes it
                    ReadOnlySpan<double> x = input.AsSpan(t * inputSize, inputSize);
                    ReadOnlySpan<double> hPrev = first ? h0.AsSpan(row * hidden, hidden) : output.AsSpan(previous * width + d * hidden, hidden);
                    dout.AsSpan(t * width + d * hidden, hidden).CopyTo(dh);
                    Span<double> dgi;
                    if (lstm)
                    {
                        ReadOnlySpan<double> cPrev = first ? c0.AsSpan(row * hidden, hidden) : cells.AsSpan(previous * hidden, hidden);
                        LstmBptt.BackwardStep(weights, dh, dhNext, dcNext, tape.AsSpan(t * 4 * hidden, 4 * hidden), cells.AsSpan(t * hidden, hidden),
                                              cPrev, x, hPrev, da, dIn, dRec, dBih, dBhh);
                        dgi = da;
                    }
                    else if (gru)
                    {
                        int g = t * 4 * hidden;
                        dgi = da[..(3 * hidden)];
                        GruBptt.BackwardStep(weights, dh, dhNext, tape.AsSpan(g, hidden), tape.AsSpan(g + hidden, hidden), tape.AsSpan(g + 2 * hidden, hidden),
                                             tape.AsSpan(g + 3 * hidden, hidden), hPrev, x, dgi, dgh, dIn, dRec, dBih, dBhh);
                    }
                    else
                    {
                        dgi = da[..hidden];
                        Bptt.BackwardStep(weights.RecurrentData, tanh, dh, dhNext, output.AsSpan(t * width + d * hidden, hidden), hPrev, x, dgi,
                                          dIn, dRec, dBih, dBhh);
                    }

                    if (dx is not null)
                    {
                        weights.InputGradient(dgi, dx.AsSpan(t * width, width));
                    }
                }

                dhNext.CopyTo(dh0.AsSpan(row * hidden, hidden));
                dcNext.CopyTo(dc0.AsSpan(row * hidden, hidden));
            }

            if (below is not null && k > 0)
            {
                if (reverseBelow is not null)
                {
                    for (int i = 0; i < below.Length; i++)
                    {
                        below[i] += reverseBelow[i];  // forward first, then + reverse: one addition
                    }
                }

                (dout, below) = (below, dout);  // the next layer down reads below; the old dout becomes scratch
            }
        }

        Fill(gradients.InitialStates, dh0);
        if (gradients.InitialCellStates is not null)
        {
            Fill(gradients.InitialCellStates, dc0);
        }

        gradients.RefuseNonFinite();
        Matrix<double> hN = Matrix<double>.Build.DenseOfRowMajor(rows, hidden, run.FinalStates);
        Matrix<double>? cN = run.FinalCellStates is null ? null : Matrix<double>.Build.DenseOfRowMajor(rows, hidden, run.FinalCellStates);
        return new StackBpttResult(loss, gradients, gradients.InitialStates, gradients.InitialCellStates, hN, cN);
    }

    private static void Fill(Matrix<double> m, double[] rowMajor)
    {
        for (int r = 0; r < m.RowCount; r++)
        {
            for (int c = 0; c < m.ColumnCount; c++)
            {
                m.At(r, c, rowMajor[r * m.ColumnCount + c]);
            }
        }
    }
}
