using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// Backpropagation through time for <see cref="GRU"/>. NumPy twin: <c>rnnport.cells.gru_bptt.gru_bptt</c>.
/// Per step t from T−1 down to 0 (docs/exact-mode.md, "GRU backward", fixes the order of every operation):
/// <code>
/// dy = softmax(y_t) − onehot(target_t);  dOutputWeights += h_tᵀ·dy;  dOutputBias += dy
/// dh = dy·outputWeightsᵀ + dhNext
/// da_n = (dh ⊙ (1 − z)) ⊙ (1 − n ⊙ n);   da_z = (dh ⊙ (h_{t−1} − n)) ⊙ (z ⊙ (1 − z))
/// da_r = (da_n ⊙ gh_n) ⊙ (r ⊙ (1 − r))
/// dgi = [da_r, da_z, da_n];  dInputWeights += x_tᵀ·dgi;  dInputBias += dgi
/// dgh = [da_r, da_z, da_n ⊙ r];  dRecurrentWeights += h_{t−1}ᵀ·dgh;  dRecurrentBias += dgh
/// dhNext = dgh·recurrentWeightsᵀ + dh ⊙ z
/// </code>
/// Truncated BPTT is chunking: carry <see cref="GruBpttResult.FinalState"/> into the next call; no gradient crosses.
/// </summary>
public static class GruBptt
{
    /// <summary>
    /// Loss and gradients of one chunk from <paramref name="initialState"/> (the model's state when null).
    /// Changes neither the model's weights nor its state.
    /// </summary>
    /// <param name="model">The GRU; read, never written.</param>
    /// <param name="inputs">T×I, T ≥ 1.</param>
    /// <param name="targets">T class indices in [0, O).</param>
    /// <param name="initialState">1×H or null.</param>
    /// <returns>The summed loss, <see cref="GruGradients"/>, and the state after the last step.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="initialState"/> is null.</exception>
    /// <exception cref="ShapeMismatchException">A shape does not fit the model.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> or <paramref name="initialState"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="ArgumentException">T = 0, or a target lies outside [0, O).</exception>
    /// <exception cref="NonFiniteResultException">A state or output, the loss, or a gradient is not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GruBpttResult Run(GRU model, Matrix<double> inputs, IReadOnlyList<int> targets, Matrix<double>? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        BpttArguments.CheckChunk(inputs, targets, model.InputSize, model.OutputSize);
        BpttArguments.CheckStart(initialState, model.HiddenSize, nameof(initialState));

        int steps = inputs.RowCount, inputSize = model.InputSize, hidden = model.HiddenSize, outputSize = model.OutputSize;
        int gates = 3 * hidden;
        double[] start = (initialState ?? model.State).ToColumnMajorArray();  // 1×H, a copy
        var tape = new double[steps * 4 * hidden];                          // r, z, n, gh_n per step
        (Matrix<double> outputs, Matrix<double> states) = model.ForwardFrom(start, inputs, null, tape);
        double loss = Loss.CrossEntropyUnchecked(outputs, targets);
        double[] probabilities = Loss.Softmax(outputs).ToColumnMajorArray();  // T×O: (t, k) at t + k·T

        var gradients = new GruGradients(inputSize, hidden, outputSize, model.HasBiases);
        double[] dInput = ColumnMajor.Storage(gradients.InputWeights);          // I×3H: (i, k) at i + k·I
        double[] dRecurrent = ColumnMajor.Storage(gradients.RecurrentWeights);  // H×3H: (i, k) at i + k·H
        double[] dOutput = ColumnMajor.Storage(gradients.OutputWeights);        // H×O: (j, k) at j + k·H
        double[]? dInputBias = gradients.InputBias is null ? null : ColumnMajor.Storage(gradients.InputBias);
        double[]? dRecurrentBias = gradients.RecurrentBias is null ? null : ColumnMajor.Storage(gradients.RecurrentBias);
        double[]? dOutputBias = gradients.OutputBias is null ? null : ColumnMajor.Storage(gradients.OutputBias);
        double[] outputWeights = model.OutputData;
        LayerWeights layer = model.Layer;
        double[] x = ColumnMajor.ReadOnly(inputs), stateData = ColumnMajor.Storage(states);

        // Scratch for the chunk; nothing below allocates per timestep.
        var dy = new double[outputSize];
        var dh = new double[hidden];
        var dhNext = new double[hidden];
        var h = new double[hidden];
        var previous = new double[hidden];
        var xt = new double[inputSize];
        var dgi = new double[gates];
        var dgh = new double[gates];
        for (int t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<double> r = tape.AsSpan(4 * hidden * t, hidden), z = tape.AsSpan(4 * hidden * t + hidden, hidden);
            ReadOnlySpan<double> n = tape.AsSpan(4 * hidden * t + 2 * hidden, hidden), ghn = tape.AsSpan(4 * hidden * t + 3 * hidden, hidden);
            for (int j = 0; j < hidden; j++)
            {
                h[j] = stateData[t + j * steps];
                previous[j] = t > 0 ? stateData[t - 1 + j * steps] : start[j];
            }

            for (int i = 0; i < inputSize; i++)
            {
                xt[i] = x[t + i * steps];
            }

            for (int k = 0; k < outputSize; k++)
            {
                dy[k] = probabilities[t + k * steps];
            }

            dy[targets[t]] -= 1.0;
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

            // (dy·outputWeightsᵀ)_j: for every j a sequential sum over k from +0.0, then + dhNext_j.
            Array.Clear(dh);
            for (int k = 0; k < outputSize; k++)
            {
                double dyk = dy[k];
                for (int j = 0; j < hidden; j++)
                {
                    dh[j] += dyk * outputWeights[j + k * hidden];
                }
            }

            BackwardStep(layer, dh, dhNext, r, z, n, ghn, previous, xt, dgi, dgh, dInput, dRecurrent, dInputBias, dRecurrentBias);
        }

        dhNext.CopyTo(ColumnMajor.Storage(gradients.InitialState), 0);
        FiniteResults.RefuseGradients(gradients);

        return new GruBpttResult(loss, gradients, states.SubMatrix(steps - 1, 1, 0, hidden));
    }

    /// <summary>
    /// One backward step of a GRU layer (the table in the class summary, docs/exact-mode.md "GRU backward"): the
    /// cell's and every <see cref="RecurrentStack"/> GRU layer's.
    /// </summary>
    /// <param name="weights">The layer's weights (the recurrent ones are read).</param>
    /// <param name="dh">H values, in: the gradient arriving from above; out: that plus <paramref name="dhNext"/> (one addition).</param>
    /// <param name="dhNext">H values, in: from step t+1; out: to step t−1.</param>
    /// <param name="r">H: the reset gate of this step.</param>
    /// <param name="z">H: the update gate.</param>
    /// <param name="n">H: the candidate.</param>
    /// <param name="ghn">H: <c>W_hn h + b_hn</c> of this step.</param>
    /// <param name="previous">H: the state before this step.</param>
    /// <param name="xt">I: this step's input.</param>
    /// <param name="dgi">3H scratch: receives the input-side pre-activation gradients.</param>
    /// <param name="dgh">3H scratch: receives the recurrent-side ones.</param>
    /// <param name="dInput">I×3H column-major gradient, accumulated.</param>
    /// <param name="dRecurrent">H×3H column-major gradient, accumulated.</param>
    /// <param name="dInputBias">3H or null, accumulated.</param>
    /// <param name="dRecurrentBias">3H or null, accumulated.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BackwardStep(
        LayerWeights weights, Span<double> dh, Span<double> dhNext, ReadOnlySpan<double> r, ReadOnlySpan<double> z,
        ReadOnlySpan<double> n, ReadOnlySpan<double> ghn, ReadOnlySpan<double> previous, ReadOnlySpan<double> xt,
        Span<double> dgi, Span<double> dgh, double[] dInput, double[] dRecurrent, double[]? dInputBias, double[]? dRecurrentBias)
    {
        int hidden = previous.Length, gates = 3 * hidden, inputSize = xt.Length;
        double[] recurrentWeights = weights.RecurrentData;
        for (int j = 0; j < hidden; j++)
        {
            dh[j] += dhNext[j];
            double daN = (dh[j] * (1.0 - z[j])) * (1.0 - n[j] * n[j]);
            double daZ = (dh[j] * (previous[j] - n[j])) * (z[j] * (1.0 - z[j]));
            double daR = (daN * ghn[j]) * (r[j] * (1.0 - r[j]));
            dgi[j] = daR;
            dgi[hidden + j] = daZ;
            dgi[2 * hidden + j] = daN;
            dgh[j] = daR;
            dgh[hidden + j] = daZ;
            dgh[2 * hidden + j] = daN * r[j];
        }

        for (int k = 0; k < gates; k++)
        {
            double gik = dgi[k], ghk = dgh[k];
            for (int i = 0; i < inputSize; i++)
            {
                dInput[i + k * inputSize] += xt[i] * gik;
            }

            for (int i = 0; i < hidden; i++)
            {
                dRecurrent[i + k * hidden] += previous[i] * ghk;
            }

            if (dInputBias is not null)
            {
                dInputBias[k] += gik;
            }

            if (dRecurrentBias is not null)
            {
                dRecurrentBias[k] += ghk;
            }
        }

        // (dgh·recurrentWeightsᵀ)_i: for every i a sequential sum over k = 0 … 3H−1 from +0.0, then + dh_i·z_i.
        dhNext.Clear();
        for (int k = 0; k < gates; k++)
        {
            double ghk = dgh[k];
            for (int i = 0; i < hidden; i++)
            {
                dhNext[i] += ghk * recurrentWeights[i + k * hidden];
            }
        }

        for (int i = 0; i < hidden; i++)
        {
            dhNext[i] += dh[i] * z[i];
        }
    }
}
