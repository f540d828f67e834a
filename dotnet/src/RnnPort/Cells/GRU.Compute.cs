using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>The GRU's arithmetic on raw arrays, in the order docs/exact-mode.md ("GRU") lists.</summary>
public sealed partial class GRU
{
    /// <summary>Whether a step or a sequence refuses a non-finite result. NumPy twin: <c>GRU._check_results</c>.</summary>
    internal bool CheckResults { get; set; } = true;

    /// <summary>σ(a) = 1 / (1 + exp(−a)) with the C library's exp; exp(−a) = ∞ gives exactly 0.</summary>
    internal static double GruSigmoid(double a) => 1.0 / (1.0 + Math.Exp(-a));

    /// <summary>
    /// One step: gi = x·inputWeights (+ inputBias), gh = h·recurrentWeights (+ recurrentBias), each sum
    /// from +0.0 in index order (SequentialKernels.RowTimesPacked), then per unit j:
    /// <c>r = σ(gi_r + gh_r)</c>, <c>z = σ(gi_z + gh_z)</c>, <c>n = tanh(gi_n + r·gh_n)</c>,
    /// <c>next = ((1 − z)·n) + (z·h)</c>.
    /// </summary>
    /// <param name="h">H values, the previous state.</param>
    /// <param name="x">I values.</param>
    /// <param name="gi">Scratch, 3H: receives gi.</param>
    /// <param name="gh">Scratch, 3H: receives gh (its n block is BPTT's <c>W_hn h + b_hn</c>).</param>
    /// <param name="r">H: receives the reset gate.</param>
    /// <param name="z">H: receives the update gate.</param>
    /// <param name="n">H: receives the candidate.</param>
    /// <param name="next">H: receives the new state; may be <paramref name="h"/> (element j is read before it is written).</param>
    /// <param name="weights">The layer's weights (I×3H, H×3H, biases): the cell's, or a <see cref="RecurrentStack"/> GRU layer's.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Step(LayerWeights weights, ReadOnlySpan<double> h, ReadOnlySpan<double> x, Span<double> gi, Span<double> gh,
                              Span<double> r, Span<double> z, Span<double> n, Span<double> next)
    {
        int hidden = h.Length;
        SequentialKernels.RowTimesPacked(x, weights.InputPacked, gi);
        LayerWeights.AddBias(gi, weights.InputBiasData);
        SequentialKernels.RowTimesPacked(h, weights.RecurrentPacked, gh);
        LayerWeights.AddBias(gh, weights.RecurrentBiasData);
        Gates(gi, gh, h, r, z, n, next);
    }

    /// <summary>
    /// The element-wise part of a step, after the two projections gi and gh (3H each), per unit j:
    /// <c>r = σ(gi_r + gh_r)</c>, <c>z = σ(gi_z + gh_z)</c>, <c>n = tanh(gi_n + r·gh_n)</c>,
    /// <c>next = ((1 − z)·n) + (z·h)</c>. Shared by <c>Step</c> and the batched pass (GRU.Batch.cs).
    /// </summary>
    /// <param name="gi">3H, the input projection.</param>
    /// <param name="gh">3H, the recurrent projection.</param>
    /// <param name="h">H, the previous state (may be <paramref name="next"/>: element j is read before it is written).</param>
    /// <param name="r">H: receives the reset gate.</param>
    /// <param name="z">H: receives the update gate.</param>
    /// <param name="n">H: receives the candidate.</param>
    /// <param name="next">H: receives the new state.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Gates(ReadOnlySpan<double> gi, ReadOnlySpan<double> gh, ReadOnlySpan<double> h,
                               Span<double> r, Span<double> z, Span<double> n, Span<double> next)
    {
        int hidden = next.Length;
        for (int j = 0; j < hidden; j++)
        {
            double rj = GruSigmoid(gi[j] + gh[j]);
            double zj = GruSigmoid(gi[hidden + j] + gh[hidden + j]);
            double nj = Math.Tanh(gi[2 * hidden + j] + (rj * gh[2 * hidden + j]));
            r[j] = rj;
            z[j] = zj;
            n[j] = nj;
            next[j] = ((1.0 - zj) * nj) + (zj * h[j]);
        }
    }

    /// <summary><c>y = h·outputWeights (+ outputBias)</c>, the bias added to the finished sum.</summary>
    private void Output(ReadOnlySpan<double> h, Span<double> y)
    {
        SequentialKernels.RowTimesPacked(h, _outputPacked, y);
        LayerWeights.AddBias(y, _outputBiasData);
    }

    /// <summary>
    /// The forward pass from <paramref name="start"/> over checked inputs, without touching the model's
    /// state unless <paramref name="finalState"/> is it. Shared by <see cref="Forward"/> and <c>GruBptt</c>.
    /// </summary>
    /// <param name="start">H values; read before anything is written.</param>
    /// <param name="inputs">T×I, checked.</param>
    /// <param name="finalState">Receives the last state once everything is known to be finite, or null.</param>
    /// <param name="tape">
    /// Null, or T·4H values that receive, per timestep t at <c>4H·t</c>, the r, z, n and gh_n blocks
    /// (what BPTT needs besides the states).
    /// </param>
    /// <exception cref="NonFiniteResultException">A state or an output is not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal (Matrix<double> Outputs, Matrix<double> States) ForwardFrom(
        ReadOnlySpan<double> start, Matrix<double> inputs, double[]? finalState, double[]? tape)
    {
        int steps = inputs.RowCount, inputSize = InputSize, hidden = HiddenSize, outputSize = OutputSize;
        Matrix<double> outputs = Matrix<double>.Build.Dense(steps, outputSize);
        Matrix<double> states = Matrix<double>.Build.Dense(steps, hidden);
        if (steps == 0)
        {
            return (outputs, states);
        }

        double[] xs = ColumnMajor.ReadOnly(inputs);  // (t, i) at t + i·T
        double[] outputData = ColumnMajor.Storage(outputs), stateData = ColumnMajor.Storage(states);
        var scratch = new double[inputSize + 10 * hidden + outputSize];
        Span<double> row = scratch.AsSpan(0, inputSize);
        Span<double> gi = scratch.AsSpan(inputSize, 3 * hidden);
        Span<double> gh = scratch.AsSpan(inputSize + 3 * hidden, 3 * hidden);
        Span<double> gates = scratch.AsSpan(inputSize + 6 * hidden, 3 * hidden);  // r, z, n
        Span<double> h = scratch.AsSpan(inputSize + 9 * hidden, hidden);
        Span<double> y = scratch.AsSpan(inputSize + 10 * hidden, outputSize);
        start[..hidden].CopyTo(h);
        bool check = CheckResults;
        Lanes screen = Lanes.Zero;
        for (int t = 0; t < steps; t++)
        {
            ColumnMajor.ReadRow(xs, steps, t, row);
            Step(_layer, h, row, gi, gh, gates[..hidden], gates.Slice(hidden, hidden), gates.Slice(2 * hidden, hidden), h);
            Output(h, y);
            if (check)
            {
                FiniteResults.Screen(h, ref screen);
                FiniteResults.Screen(y, ref screen);
            }

            if (tape is not null)
            {
                gates.CopyTo(tape.AsSpan(4 * hidden * t, 3 * hidden));
                gh.Slice(2 * hidden, hidden).CopyTo(tape.AsSpan(4 * hidden * t + 3 * hidden, hidden));
            }

            ColumnMajor.WriteRow(stateData, steps, t, h);
            ColumnMajor.WriteRow(outputData, steps, t, y);
        }

        if (check && !FiniteResults.Passed(screen))
        {
            FiniteResults.RefuseSequence(stateData, outputData, steps);
        }

        if (finalState is not null)
        {
            h.CopyTo(finalState);
        }

        return (outputs, states);
    }
}
