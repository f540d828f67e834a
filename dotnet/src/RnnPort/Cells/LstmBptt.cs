using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Backpropagation through time for <see cref="LSTM"/>, softmax cross-entropy on every output, in the operation
/// order of docs/exact-mode.md ("LSTM backward"), so that every gradient is bit-identical to the NumPy twin's
/// exact mode. NumPy twin: <c>rnnport.cells.lstm_bptt</c>.
/// </summary>
public static class LstmBptt
{
    /// <summary>
    /// Loss and gradients of one chunk from (<paramref name="initialState"/>, <paramref name="initialCellState"/>);
    /// changes neither the weights nor the state. Truncated BPTT is chunking: carry <see cref="LstmBpttResult.FinalState"/>
    /// and <see cref="LstmBpttResult.FinalCellState"/> into the next call. NumPy twin: <c>bptt(model, xs, targets, h_prev, c_prev)</c>.
    /// </summary>
    /// <param name="model">The cell; read, never written.</param>
    /// <param name="inputs">T×I, T ≥ 1.</param>
    /// <param name="targets">T class indices in [0, O).</param>
    /// <param name="initialState">1×H, or null for the model's current state.</param>
    /// <param name="initialCellState">1×H, or null for the model's current cell state.</param>
    /// <returns>The loss, the gradients (every parameter, the initial state and cell state), the final (h, c).</returns>
    /// <exception cref="ArgumentNullException">The model, the inputs or the targets are null.</exception>
    /// <exception cref="ShapeMismatchException">A shape does not fit.</exception>
    /// <exception cref="NonFiniteValueException">An input or initial state holds NaN or ±Infinity.</exception>
    /// <exception cref="ArgumentException">T = 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target lies outside [0, O).</exception>
    /// <exception cref="NonFiniteResultException">A state, cell state, output, the loss or a gradient is not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LstmBpttResult Run(LSTM model, Matrix<double> inputs, IReadOnlyList<int> targets,
                                     Matrix<double>? initialState = null, Matrix<double>? initialCellState = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        BpttArguments.CheckChunk(inputs, targets, model.InputSize, model.OutputSize);
        double[] h0 = Start(initialState, model.LiveState, model.HiddenSize, nameof(initialState));
        double[] c0 = Start(initialCellState, model.LiveCellState, model.HiddenSize, nameof(initialCellState));

        int steps = inputs.RowCount, inputSize = model.InputSize, hidden = model.HiddenSize, outputSize = model.OutputSize, four = 4 * hidden;
        var gates = new double[steps * four];                                                 // step t at t·4H: [i | f | g | o]
        (Matrix<double> outputs, Matrix<double> states, Matrix<double> cells) = model.ForwardFrom(h0, c0, inputs, gates);
        LSTM.RefuseSequence(outputs, states, cells);
        double loss = Loss.CrossEntropyUnchecked(outputs, targets);
        double[] p = ColumnMajor.Storage(Loss.Softmax(outputs));                                             // T×O: (t, k) at t + k·T

        double[] outW = ColumnMajor.Storage(model.LiveOutputWeights);  // H×O
        double[] x = ColumnMajor.ReadOnly(inputs), hs = ColumnMajor.Storage(states), cs = ColumnMajor.Storage(cells);
        IReadOnlyList<(string Name, Matrix<double> Value)> parameters = model.Parameters();
        Matrix<double>? Zero(string name) =>
            parameters.FirstOrDefault(q => q.Name == name).Value is { } m ? Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount) : null;
        var gradients = new LstmGradients(
            Zero(ParameterNames.InputWeights)!, Zero(ParameterNames.RecurrentWeights)!, Zero(ParameterNames.OutputWeights)!,
            Zero(ParameterNames.InputBias), Zero(ParameterNames.RecurrentBias), Zero(ParameterNames.OutputBias),
            Matrix<double>.Build.Dense(1, hidden), Matrix<double>.Build.Dense(1, hidden));
        double[] dIn = ColumnMajor.Storage(gradients.InputWeights), dRec = ColumnMajor.Storage(gradients.RecurrentWeights), dOut = ColumnMajor.Storage(gradients.OutputWeights);
        double[]? dInBias = gradients.InputBias is null ? null : ColumnMajor.Storage(gradients.InputBias);
        double[]? dRecBias = gradients.RecurrentBias is null ? null : ColumnMajor.Storage(gradients.RecurrentBias);
        double[]? dOutBias = gradients.OutputBias is null ? null : ColumnMajor.Storage(gradients.OutputBias);

        // Scratch for the whole chunk: nothing below allocates per timestep.
        var dy = new double[outputSize];
        var dh = new double[hidden];
        var da = new double[four];
        var dhNext = new double[hidden];
        var dcNext = new double[hidden];
        var xt = new double[inputSize];
        var hPrev = new double[hidden];
        var ct = new double[hidden];
        var cPrev = new double[hidden];
        LayerWeights layer = model.Layer;
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int k = 0; k < outputSize; k++)
            {
                dy[k] = p[t + k * steps];
            }

            dy[targets[t]] -= 1.0;
            for (int k = 0; k < outputSize; k++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    dOut[j + k * hidden] += hs[t + j * steps] * dy[k];
                }

                if (dOutBias is not null)
                {
                    dOutBias[k] += dy[k];
                }
            }

            // dh_j = +0.0 + Σ_k dy_k·W_hy[k, j], k ascending; k outside so W is read by columns.
            Array.Clear(dh);
            for (int k = 0; k < outputSize; k++)
            {
                double dyk = dy[k];
                for (int j = 0; j < hidden; j++)
                {
                    dh[j] += dyk * outW[j + k * hidden];
                }
            }

            ColumnMajor.ReadRow(x, steps, t, xt);
            ColumnMajor.ReadRow(cs, steps, t, ct);
            if (t > 0)
            {
                ColumnMajor.ReadRow(hs, steps, t - 1, hPrev);
                ColumnMajor.ReadRow(cs, steps, t - 1, cPrev);
            }
            else
            {
                h0.CopyTo(hPrev, 0);
                c0.CopyTo(cPrev, 0);
            }

            BackwardStep(layer, dh, dhNext, dcNext, gates.AsSpan(t * four, four), ct, cPrev, xt, hPrev, da, dIn, dRec, dInBias, dRecBias);
        }

        dhNext.CopyTo(ColumnMajor.Storage(gradients.InitialState), 0);
        dcNext.CopyTo(ColumnMajor.Storage(gradients.InitialCellState), 0);
        foreach ((string name, Matrix<double> g) in gradients.Parameters()
                     .Append(("InitialState", gradients.InitialState)).Append(("InitialCellState", gradients.InitialCellState)))
        {
            Refuse(g, name);
        }

        return new LstmBpttResult(loss, gradients, states.SubMatrix(steps - 1, 1, 0, hidden), cells.SubMatrix(steps - 1, 1, 0, hidden));
    }

    /// <summary>
    /// One backward step of an LSTM layer (docs/exact-mode.md, "LSTM backward"): the cell's and every
    /// <see cref="RecurrentStack"/> LSTM layer's. With <c>dh = dhIn + dhNext</c> (one addition):
    /// <c>dc = ((dh·o)·(1 − tanh(c)²)) + dcNext</c>, the gate gradients <paramref name="da"/>, the weight and
    /// bias gradients accumulated, then <c>dhNext = da·W_hhᵀ</c> and <c>dcNext = dc·f</c>.
    /// </summary>
    /// <param name="weights">The layer's weights (the recurrent ones are read).</param>
    /// <param name="dhIn">H values: the gradient arriving from above (<c>W_hyᵀ dy</c> or the layer output's).</param>
    /// <param name="dhNext">H values, in: from step t+1; out: to step t−1.</param>
    /// <param name="dcNext">H values, likewise for the cell state.</param>
    /// <param name="gates">4H: [i | f | g | o] of this step.</param>
    /// <param name="c">H: the cell state after this step.</param>
    /// <param name="cPrev">H: the cell state before this step.</param>
    /// <param name="x">I: this step's input.</param>
    /// <param name="hPrev">H: the state before this step.</param>
    /// <param name="da">4H scratch: receives the pre-activation gradients.</param>
    /// <param name="dIn">I×4H column-major gradient, accumulated.</param>
    /// <param name="dRec">H×4H column-major gradient, accumulated.</param>
    /// <param name="dInBias">4H or null, accumulated.</param>
    /// <param name="dRecBias">4H or null, accumulated.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BackwardStep(
        LayerWeights weights, ReadOnlySpan<double> dhIn, Span<double> dhNext, Span<double> dcNext, ReadOnlySpan<double> gates,
        ReadOnlySpan<double> c, ReadOnlySpan<double> cPrev, ReadOnlySpan<double> x, ReadOnlySpan<double> hPrev, Span<double> da,
        double[] dIn, double[] dRec, double[]? dInBias, double[]? dRecBias)
    {
        int hidden = hPrev.Length, four = 4 * hidden, inputSize = x.Length;
        double[] recW = weights.RecurrentData;
        for (int j = 0; j < hidden; j++)
        {
            double dhj = dhIn[j] + dhNext[j];
            double tau = Math.Tanh(c[j]);  // the forward pass's tanh(c_t), recomputed
            double i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j], o = gates[3 * hidden + j];
            double dO = dhj * tau;
            double dc = ((dhj * o) * (1.0 - tau * tau)) + dcNext[j];
            double di = dc * g, dg = dc * i, df = dc * cPrev[j];
            dcNext[j] = dc * f;
            da[j] = (di * i) * (1.0 - i);
            da[hidden + j] = (df * f) * (1.0 - f);
            da[2 * hidden + j] = dg * (1.0 - g * g);
            da[3 * hidden + j] = (dO * o) * (1.0 - o);
        }

        for (int k = 0; k < four; k++)
        {
            double dak = da[k];
            if (dInBias is not null)
            {
                dInBias[k] += dak;
            }

            if (dRecBias is not null)
            {
                dRecBias[k] += dak;
            }

            for (int i = 0; i < inputSize; i++)
            {
                dIn[i + k * inputSize] += x[i] * dak;
            }

            for (int j = 0; j < hidden; j++)
            {
                dRec[j + k * hidden] += hPrev[j] * dak;
            }
        }

        // dhNext_j = +0.0 + Σ_k da_k·W_hh[k, j], k ascending over all 4H rows.
        dhNext.Clear();
        for (int k = 0; k < four; k++)
        {
            double dak = da[k];
            for (int j = 0; j < hidden; j++)
            {
                dhNext[j] += dak * recW[j + k * hidden];
            }
        }
    }

    /// <summary>
    /// <see cref="Bptt.ClipElementwise(IParameterGradients, double)"/> on the LSTM's gradients, the initial state's
    /// and cell state's included (kept for callers of this name). NumPy twin: <c>lstm_bptt.clip_elementwise</c>.
    /// </summary>
    /// <param name="gradients">Modified in place.</param>
    /// <param name="limit">&gt; 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not &gt; 0.</exception>
    public static void ClipElementwise(LstmGradients gradients, double limit) => Bptt.ClipElementwise(gradients, limit);

    /// <summary>
    /// <see cref="Bptt.ClipGlobalNorm(IParameterGradients, double)"/> on the LSTM's parameter gradients (kept for
    /// callers of this name); returns the norm before. NumPy twin: <c>lstm_bptt.clip_global_norm</c>.
    /// </summary>
    /// <param name="gradients">Modified in place when the norm exceeds <paramref name="maxNorm"/>.</param>
    /// <param name="maxNorm">&gt; 0.</param>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not &gt; 0.</exception>
    /// <exception cref="NonFiniteResultException">The norm is not finite.</exception>
    public static double ClipGlobalNorm(LstmGradients gradients, double maxNorm) => Bptt.ClipGlobalNorm(gradients, maxNorm);

    private static double[] Start(Matrix<double>? given, ReadOnlySpan<double> current, int hidden, string name)
    {
        BpttArguments.CheckStart(given, hidden, name);
        return given is null ? current.ToArray() : ColumnMajor.ReadOnly(given).ToArray();
    }

    /// <summary>"bptt: the gradient of {name} is not finite (element … is …)": (row, column) for a matrix, the column for a 1×n row.</summary>
    private static void Refuse(Matrix<double> g, string name)
    {
        double[] values = ColumnMajor.Storage(g);
        int n = FiniteResults.FirstNonFinite(values);
        if (n >= 0)
        {
            string where = g.RowCount == 1
                ? (n / g.RowCount).ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"({n % g.RowCount}, {n / g.RowCount})");
            throw new NonFiniteResultException($"bptt: the gradient of {name} is not finite (element {where} is {FiniteResults.Value(values[n])})");
        }
    }
}
