using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Backpropagation through time, as min-char-rnn does it, for <see cref="RNN"/>. NumPy twin:
/// <c>rnnport.cells.rnn_bptt</c>. In the row convention, with <c>a_t = h_{t−1}·recurrentWeights + x_t·inputWeights (+ hiddenBias)</c>,
/// <c>h_t = f(a_t)</c>, <c>y_t = h_t·outputWeights (+ outputBias)</c>, for t from T−1 down to 0:
/// <code>
/// dy      = softmax(y_t) − onehot(target_t)             1×O
/// dh      = dy·outputWeightsᵀ + dhNext                  1×H
/// da      = f′(a_t) ⊙ dh                                tanh: 1 − h_t⊙h_t; relu: [h_t &gt; 0]
/// dOutputWeights   += h_tᵀ·dy       (H×O)     dOutputBias += dy
/// dInputWeights    += x_tᵀ·da       (I×H)     dHiddenBias += da
/// dRecurrentWeights += h_{t−1}ᵀ·da  (H×H)     h_{−1} = the chunk's initial state
/// dhNext  = da·recurrentWeightsᵀ
/// </code>
/// Each outer product here is the transpose of the NumPy twin's (<c>np.outer(dy, h_t)</c> is O×H),
/// element for element the same product. Truncated BPTT is chunking: the caller carries
/// <see cref="BpttResult.FinalState"/> into the next chunk, but no gradient crosses the boundary
/// (each call starts from <c>dhNext = 0</c>).
/// </summary>
public static class Bptt
{
    /// <summary>
    /// Loss and gradients of one chunk, starting from <paramref name="initialState"/>. Changes neither
    /// the model's weights nor its state. NumPy twin: <c>bptt(model, xs, targets, h_prev)</c>.
    /// </summary>
    /// <param name="model">The network; its weights are read, never written.</param>
    /// <param name="inputs">T×I, one input row per timestep, T ≥ 1 (NumPy <c>xs</c>, (T, I)).</param>
    /// <param name="targets">T class indices in [0, O): the target of step t is <c>targets[t]</c>.</param>
    /// <param name="initialState">1×H, the state before step 0 (NumPy <c>h_prev</c>, (H,)); the model's current state when null.</param>
    /// <returns>The summed loss, the gradients, and the state after the last step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="inputs"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> is not T×I, <paramref name="targets"/> does not hold T indices, or <paramref name="initialState"/> is not 1×H.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> or <paramref name="initialState"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="ArgumentException">T = 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target lies outside [0, O).</exception>
    /// <exception cref="NonFiniteResultException">
    /// A result is not finite: a state or an output (<see cref="RNN.Forward"/>), the loss
    /// (<see cref="Loss.CrossEntropy"/>), or a gradient, checked in the order InputWeights, RecurrentWeights,
    /// OutputWeights, HiddenBias, OutputBias, InitialState; the message names the first.
    /// </exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static BpttResult Run(RNN model, Matrix<double> inputs, IReadOnlyList<int> targets, Matrix<double>? initialState = null)
    {
        // Checks in the NumPy twin's order: inputs, targets, initial state; all before any work.
        ArgumentNullException.ThrowIfNull(model);
        BpttArguments.CheckChunk(inputs, targets, model.InputSize, model.OutputSize);
        BpttArguments.CheckStart(initialState, model.HiddenSize, nameof(initialState));
        Matrix<double> start = initialState?.Clone() ?? model.State;

        (Matrix<double> outputs, Matrix<double> states) = model.ForwardFrom(start, inputs);  // T×O, T×H
        double loss = Loss.CrossEntropyUnchecked(outputs, targets);
        Matrix<double> probabilities = Loss.Softmax(outputs);                                 // T×O

        int steps = inputs.RowCount, inputSize = model.InputSize, hidden = model.HiddenSize, outputSize = model.OutputSize;
        bool tanh = model.Activation == Activation.Tanh;
        double[] outputWeights = ColumnMajor.Storage(model.LiveOutputWeights);        // H×O: (j, k) at j + k·H
        double[] recurrentWeights = ColumnMajor.Storage(model.LiveRecurrentWeights);  // H×H: (i, j) at i + j·H
        double[] x = ColumnMajor.ReadOnly(inputs);                                    // T×I: (t, i) at t + i·T
        double[] stateData = ColumnMajor.Storage(states);                             // T×H: (t, j) at t + j·T
        double[] probabilityData = ColumnMajor.Storage(probabilities);                // T×O: (t, k) at t + k·T
        double[] startData = ColumnMajor.ReadOnly(start);                             // 1×H

        Gradients gradients = Gradients.ZerosFor(model);
        double[] dInput = ColumnMajor.Storage(gradients.InputWeights);          // I×H: (i, j) at i + j·I
        double[] dRecurrent = ColumnMajor.Storage(gradients.RecurrentWeights);  // H×H: (i, j) at i + j·H
        double[] dOutput = ColumnMajor.Storage(gradients.OutputWeights);        // H×O: (j, k) at j + k·H
        double[]? dHiddenBias = gradients.HiddenBias is null ? null : ColumnMajor.Storage(gradients.HiddenBias);
        double[]? dOutputBias = gradients.OutputBias is null ? null : ColumnMajor.Storage(gradients.OutputBias);

        // Scratch for the whole chunk, allocated once: nothing below allocates per timestep.
        var dy = new double[outputSize];
        var dh = new double[hidden];
        var da = new double[hidden];
        var dhNext = new double[hidden];
        var h = new double[hidden];
        var previous = new double[hidden];
        var xt = new double[inputSize];
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int j = 0; j < hidden; j++)
            {
                h[j] = stateData[t + j * steps];
                previous[j] = t > 0 ? stateData[t - 1 + j * steps] : startData[j];
            }

            for (int i = 0; i < inputSize; i++)
            {
                xt[i] = x[t + i * steps];
            }

            for (int k = 0; k < outputSize; k++)
            {
                dy[k] = probabilityData[t + k * steps];
            }

            dy[targets[t]] -= 1.0;  // backprop into y: softmax − onehot

            for (int k = 0; k < outputSize; k++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    dOutput[j + k * hidden] += h[j] * dy[k];
                }

                if (dOutputBias is not null)
                {
                    dOutputBias[k] += dy[k];
                }
            }

            // (dy·outputWeightsᵀ)_j = Σ_k dy_k·outputWeights(j, k): for every j a sequential sum over k
            // from +0.0. The loop runs k outside and j inside, so that it reads outputWeights column by
            // column; each dh[j] still receives its products one by one in ascending k.
            Array.Clear(dh);
            for (int k = 0; k < outputSize; k++)
            {
                double dyk = dy[k];
                int column = k * hidden;
                for (int j = 0; j < hidden; j++)
                {
                    dh[j] += dyk * outputWeights[j + column];
                }
            }

            BackwardStep(recurrentWeights, tanh, dh, dhNext, h, previous, xt, da, dInput, dRecurrent, dHiddenBias, null);
        }

        dhNext.CopyTo(ColumnMajor.Storage(gradients.InitialState), 0);
        FiniteResults.RefuseGradients(gradients);

        return new BpttResult(loss, gradients, states.SubMatrix(steps - 1, 1, 0, hidden));
    }

    /// <summary>
    /// One backward step of a tanh/ReLU layer: the cell's and every <see cref="RecurrentStack"/> RNN layer's.
    /// <c>dh += dhNext</c> (one addition), <c>da = (1 − h⊙h)·dh</c> (tanh) or <c>h &gt; 0 ? dh : +0.0</c> (ReLU: h &gt; 0
    /// exactly where a &gt; 0), each bias gradient <c>+= da</c>, <c>dInput += xᵀ·da</c>, <c>dRecurrent += h_prevᵀ·da</c>,
    /// then <c>dhNext = da·W_hhᵀ</c> (for every i a sequential sum over j from +0.0).
    /// </summary>
    /// <param name="recurrentWeights">H×H column-major: (i, j) at i + j·H.</param>
    /// <param name="tanh">Whether f is tanh (else ReLU).</param>
    /// <param name="dh">H values, in: the gradient arriving from above; out: that plus <paramref name="dhNext"/>.</param>
    /// <param name="dhNext">H values, in: from step t+1; out: to step t−1.</param>
    /// <param name="h">H: the state after this step.</param>
    /// <param name="previous">H: the state before it.</param>
    /// <param name="xt">I: this step's input.</param>
    /// <param name="da">H scratch: receives the pre-activation gradient.</param>
    /// <param name="dInput">I×H column-major gradient, accumulated.</param>
    /// <param name="dRecurrent">H×H column-major gradient, accumulated.</param>
    /// <param name="dBias">H or null, accumulated (the cell's hidden bias, a stack's bias_ih).</param>
    /// <param name="dOtherBias">H or null, accumulated after <paramref name="dBias"/> (a stack's bias_hh).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BackwardStep(
        double[] recurrentWeights, bool tanh, Span<double> dh, Span<double> dhNext, ReadOnlySpan<double> h, ReadOnlySpan<double> previous,
        ReadOnlySpan<double> xt, Span<double> da, double[] dInput, double[] dRecurrent, double[]? dBias, double[]? dOtherBias)
    {
        int hidden = h.Length, inputSize = xt.Length;
        for (int j = 0; j < hidden; j++)
        {
            dh[j] += dhNext[j];  // then + dhNext_j, as NumPy adds it
            da[j] = tanh
                ? (1.0 - h[j] * h[j]) * dh[j]     // tanh′(a) = 1 − tanh(a)², from the stored state
                : (h[j] > 0.0 ? dh[j] : 0.0);     // relu′: h > 0 exactly where a > 0
            if (dBias is not null)
            {
                dBias[j] += da[j];
            }

            if (dOtherBias is not null)
            {
                dOtherBias[j] += da[j];
            }
        }

        for (int j = 0; j < hidden; j++)
        {
            double daj = da[j];
            int inputColumn = j * inputSize, recurrentColumn = j * hidden;
            for (int i = 0; i < inputSize; i++)
            {
                dInput[i + inputColumn] += xt[i] * daj;
            }

            for (int i = 0; i < hidden; i++)
            {
                dRecurrent[i + recurrentColumn] += previous[i] * daj;
            }
        }

        // (da·recurrentWeightsᵀ)_i = Σ_j da_j·recurrentWeights(i, j), NumPy's (W_hhᵀ @ da)_i: for every
        // i a sequential sum over j from +0.0, again with the contiguous index innermost.
        dhNext.Clear();
        for (int j = 0; j < hidden; j++)
        {
            double daj = da[j];
            int column = j * hidden;
            for (int i = 0; i < hidden; i++)
            {
                dhNext[i] += daj * recurrentWeights[i + column];
            }
        }
    }

    /// <summary>
    /// Clips every element of every gradient of any cell, the initial state's (and cell state's) included, to
    /// [−<paramref name="limit"/>, <paramref name="limit"/>] in place (min-char-rnn clips at 5).
    /// NaN elements stay NaN. NumPy twin: <c>clip_elementwise(gradients, limit)</c>.
    /// </summary>
    /// <param name="gradients">The gradients to clip; modified in place.</param>
    /// <param name="limit">The bound, &gt; 0 (+Infinity leaves everything as it is).</param>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not &gt; 0 (NaN included).</exception>
    public static void ClipElementwise(IParameterGradients gradients, double limit)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ClipElementwise(gradients.Arrays(), limit);
    }

    /// <summary><see cref="ClipElementwise(IParameterGradients, double)"/> on any cell's named gradients (the LSTM's too).</summary>
    internal static void ClipElementwise(IEnumerable<(string Name, Matrix<double> Value)> gradients, double limit)
    {
        if (!(limit > 0.0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(limit), limit, string.Create(CultureInfo.InvariantCulture, $"clip limit must be > 0, got {limit}"));
        }

        foreach ((_, Matrix<double> g) in gradients)
        {
            g.MapInplace(v => v > limit ? limit : v < -limit ? -limit : v, MathNet.Numerics.LinearAlgebra.Zeros.AllowSkip);
        }
    }

    /// <summary>
    /// Scales the parameter gradients in place so that their joint 2-norm is at most
    /// <paramref name="maxNorm"/>. The norm is <c>sqrt(Σ_p Σ_i g_i²)</c> over the parameters in the order
    /// InputWeights, RecurrentWeights, OutputWeights, HiddenBias, OutputBias, each summed sequentially in
    /// column-major storage order, which for these transposed matrices is NumPy's C order of the twin
    /// arrays. The initial state's gradient is left alone: it is not a parameter.
    /// NumPy twin: <c>clip_global_norm(gradients, max_norm)</c>.
    /// </summary>
    /// <param name="gradients">The gradients to scale; modified in place when the norm exceeds <paramref name="maxNorm"/>.</param>
    /// <param name="maxNorm">The largest norm allowed, &gt; 0.</param>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="gradients"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not &gt; 0 (NaN included).</exception>
    /// <exception cref="NonFiniteResultException">The norm is not finite (some g² overflows); the gradients are left as they were.</exception>
    public static double ClipGlobalNorm(IParameterGradients gradients, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        return ClipGlobalNorm(gradients.Parameters(), maxNorm);
    }

    /// <summary><see cref="ClipGlobalNorm(IParameterGradients, double)"/> on any cell's named parameter gradients, in their order.</summary>
    internal static double ClipGlobalNorm(IReadOnlyList<(string Name, Matrix<double> Value)> parameters, double maxNorm)
    {
        if (!(maxNorm > 0.0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxNorm), maxNorm, string.Create(CultureInfo.InvariantCulture, $"max_norm must be > 0, got {maxNorm}"));
        }

        double total = 0.0;
        foreach ((_, Matrix<double> g) in parameters)
        {
            double sum = 0.0;
            for (int c = 0; c < g.ColumnCount; c++)
            {
                for (int r = 0; r < g.RowCount; r++)
                {
                    double v = g.At(r, c);
                    sum += v * v;
                }
            }

            total += sum;
        }

        double norm = Math.Sqrt(total);
        if (!double.IsFinite(norm))
        {
            // maxNorm / ∞ would zero every gradient without a word.
            throw new NonFiniteResultException($"clip: the gradient norm is not finite ({FiniteResults.Value(norm)})");
        }

        if (norm > maxNorm)
        {
            double scale = maxNorm / norm;
            foreach ((_, Matrix<double> g) in parameters)
            {
                g.MapInplace(v => v * scale, MathNet.Numerics.LinearAlgebra.Zeros.AllowSkip);
            }
        }

        return norm;
    }
}
