using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>
/// How a step is computed: the sequential kernels on the storage arrays (the default, bit-identical to
/// MathNet's order), the MathNet-operator reference path, and the small helpers both share. The public
/// API that calls these is in RNN.cs.
/// </summary>
public sealed partial class RNN
{
    /// <summary>
    /// Whether a step or a sequence refuses a result that is not finite (<see cref="NonFiniteResultException"/>,
    /// docs/bad-input.md). Off only in the benchmark that prices the check and in the tests that show it is
    /// needed. NumPy twin: <c>RNN._check_results</c>.
    /// </summary>
    internal bool CheckResults { get; set; } = true;

    /// <summary>
    /// <see cref="Forward"/> from <paramref name="start"/> without checks and without touching the
    /// model's state: the shared core of <see cref="Forward"/> and <see cref="Bptt.Run"/>.
    /// </summary>
    /// <param name="start">1×H, the state before the first timestep; not modified.</param>
    /// <param name="inputs">T×I, already checked.</param>
    internal (Matrix<double> Outputs, Matrix<double> States) ForwardFrom(Matrix<double> start, Matrix<double> inputs) =>
        _kernel == Kernel.MathNet
            ? ForwardFromWithOperators(start, inputs)
            : ForwardFrom(ColumnMajor.ReadOnly(start), inputs, null);

    /// <summary>
    /// <see cref="Kernel.MathNet"/>: the forward pass with MathNet's operators, as RnnPort computed it
    /// before the allocation-free path, a new matrix for every operation of every step.
    /// </summary>
    /// <param name="start">1×H, the state before the first timestep; not modified.</param>
    /// <param name="inputs">T×I, already checked.</param>
    private (Matrix<double> Outputs, Matrix<double> States) ForwardFromWithOperators(Matrix<double> start, Matrix<double> inputs)
    {
        int steps = inputs.RowCount;

        // All input projections in one product, T×I · I×H = T×H. Each element is the same
        // k-ordered sum as input.Multiply(_inputWeights) in TimeStep, so the two paths agree bit for bit.
        Matrix<double> projected = inputs.Multiply(_inputWeights);
        Matrix<double> states = Matrix<double>.Build.Dense(steps, HiddenSize);
        Matrix<double> state = start;
        for (int t = 0; t < steps; t++)
        {
            state = Activate(AddHiddenBias(state.Multiply(_recurrentWeights) + projected.SubMatrix(t, 1, 0, HiddenSize)));
            states.SetRow(t, state.Row(0));
        }

        Matrix<double> outputs = Output(states);
        RefuseNonFinite(ColumnMajor.Storage(states), ColumnMajor.Storage(outputs), steps);
        return (outputs, states);
    }

    /// <summary>
    /// The forward pass on raw arrays. Per timestep t, with every sum sequential from +0.0 as MathNet's
    /// managed provider sums it:
    /// <c>h ← f((+0.0 + h·recurrentWeights) + (+0.0 + x_t·inputWeights) (+ hiddenBias))</c>, then
    /// <c>y_t = (+0.0 + h·outputWeights) (+ outputBias)</c>: the same operations, in the same order, as
    /// <c>inputs.Multiply(inputWeights)</c>, <c>state.Multiply(recurrentWeights) + projected_t</c>,
    /// PointwiseTanh and <c>states.Multiply(outputWeights)</c> did before.
    /// </summary>
    /// <param name="start">The H values of the state before the first timestep; read before anything is written.</param>
    /// <param name="inputs">T×I, already checked.</param>
    /// <param name="finalState">
    /// When not null and T &gt; 0, receives the state after the last timestep (may be <paramref name="start"/>),
    /// only once every state and output is known to be finite.
    /// </param>
    /// <exception cref="NonFiniteResultException">A state or an output is not finite.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (Matrix<double> Outputs, Matrix<double> States) ForwardFrom(double[] start, Matrix<double> inputs, double[]? finalState)
    {
        int steps = inputs.RowCount, inputSize = InputSize, hidden = HiddenSize, outputSize = OutputSize;
        Matrix<double> outputs = ColumnMajor.Unfilled(steps, outputSize);  // every element is written below
        Matrix<double> states = ColumnMajor.Unfilled(steps, hidden);
        if (steps == 0)
        {
            return (outputs, states);
        }

        double[] x = ColumnMajor.ReadOnly(inputs);            // T×I: (t, i) at t + i·T
        double[] outputData = ColumnMajor.Storage(outputs);   // T×O: (t, o) at t + o·T
        double[] stateData = ColumnMajor.Storage(states);     // T×H: (t, j) at t + j·T

        // The screen of every state and output (times zero, summed while they are in L1) and the last state.
        var last = new double[hidden];
        Lanes screen = _kernel == Kernel.Simd
            ? ForwardBlocks<Fused>(start, x, steps, stateData, outputData, last)
            : ForwardBlocks<Separate>(start, x, steps, stateData, outputData, last);
        if (CheckResults && !FiniteResults.Passed(screen))
        {
            FiniteResults.RefuseSequence(stateData, outputData, steps);
        }

        if (finalState is not null)
        {
            last.CopyTo(finalState, 0);
        }

        return (outputs, states);
    }

    /// <summary>
    /// Throws <see cref="NonFiniteResultException"/> naming the first timestep whose state (checked first)
    /// or output is not finite, for the <see cref="Kernel.MathNet"/> path. One vectorised sum per array
    /// screens the sequence; only when it raises the alarm are the rows searched. NumPy twin:
    /// <c>all_finite</c> and <c>_refuse_sequence</c> in rnn.py.
    /// </summary>
    private void RefuseNonFinite(double[] states, double[] outputs, int steps)
    {
        if (CheckResults && !(FiniteResults.AllFinite(states) && FiniteResults.AllFinite(outputs)))
        {
            FiniteResults.RefuseSequence(states, outputs, steps);
        }
    }

    /// <summary>Throws <see cref="NonFiniteResultException"/> when the new state (checked first) or the output of one step is not finite.</summary>
    private void RefuseNonFiniteStep(ReadOnlySpan<double> state, ReadOnlySpan<double> output)
    {
        if (!CheckResults)
        {
            return;
        }

        FiniteResults.RefuseStep(state, "state");
        FiniteResults.RefuseStep(output, "output");
    }

    /// <summary>
    /// One step on raw arrays: <c>next = f((state·recurrentWeights + x·inputWeights) + hiddenBias)</c>,
    /// each product summed as MathNet sums it (including its <c>+0.0 + sum</c>), the bias added last.
    /// </summary>
    /// <param name="state">H values.</param>
    /// <param name="x">I values.</param>
    /// <param name="recurrent">Scratch, H values: receives <c>state·recurrentWeights</c>.</param>
    /// <param name="input">Scratch, H values: receives <c>x·inputWeights</c>.</param>
    /// <param name="next">
    /// H values; may be <paramref name="state"/>, which is read in full before it is written, or
    /// <paramref name="recurrent"/>, whose element j is read just before next's element j is written.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(ReadOnlySpan<double> state, ReadOnlySpan<double> x, Span<double> recurrent, Span<double> input, Span<double> next)
    {
        RowTimesMatrix(state, _recurrentData, _recurrentPacked, recurrent);
        RowTimesMatrix(x, _inputData, _inputPacked, input);
        double[]? bias = _hiddenBiasData;
        bool tanh = Activation == Activation.Tanh;
        if (tanh && _kernel == Kernel.Simd)
        {
            for (int j = 0; j < next.Length; j++)
            {
                next[j] = bias is null ? recurrent[j] + input[j] : (recurrent[j] + input[j]) + bias[j];
            }

            TensorPrimitives.Tanh(next, next);  // vectorised; within the bound of Kernel.Simd
            return;
        }

        for (int j = 0; j < next.Length; j++)
        {
            double a = recurrent[j] + input[j];
            if (bias is not null)
            {
                a += bias[j];
            }

            next[j] = tanh ? Math.Tanh(a) : (a > 0.0 ? a : 0.0);  // ActivationFunctions.Apply, inlined
        }
    }

    /// <summary><c>y = state·outputWeights (+ outputBias)</c>, the bias added to the finished sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Output(ReadOnlySpan<double> state, Span<double> y)
    {
        RowTimesMatrix(state, _outputData, _outputPacked, y);
        double[]? bias = _outputBiasData;
        if (bias is not null)
        {
            for (int o = 0; o < y.Length; o++)
            {
                y[o] += bias[o];
            }
        }
    }

    /// <summary>
    /// <c>y = x·W</c> with the selected <see cref="Kernel"/>: <see cref="Kernel.Simd"/> on the
    /// column-major storage <paramref name="w"/>, the default on its packed row-major copy
    /// <paramref name="packed"/> (the same bits as <c>x.Multiply(W)</c> with MathNet's managed provider).
    /// </summary>
    private void RowTimesMatrix(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> packed, Span<double> y)
    {
        if (_kernel == Kernel.Simd)
        {
            SequentialKernels.RowTimesPacked<Fused>(x, packed, y);
        }
        else
        {
            SequentialKernels.RowTimesPacked(x, packed, y);
        }
    }

    /// <summary>(state·recurrentWeights + input·inputWeights) + hiddenBias: the bias last, as NumPy adds b_h.</summary>
    private Matrix<double> AddHiddenBias(Matrix<double> sum) => _hiddenBias is null ? sum : sum + _hiddenBias;

    /// <summary>states·outputWeights (+ outputBias on every row), for T×H or 1×H states, with MathNet's operators.</summary>
    private Matrix<double> Output(Matrix<double> states)
    {
        Matrix<double> outputs = states.Multiply(_outputWeights);
        if (_outputBias is not null)
        {
            for (int c = 0; c < outputs.ColumnCount; c++)
            {
                double bias = _outputBias.At(0, c);
                for (int t = 0; t < outputs.RowCount; t++)
                {
                    outputs.At(t, c, outputs.At(t, c) + bias);
                }
            }
        }

        return outputs;
    }

    private Matrix<double> Activate(Matrix<double> preActivation) => Activation == Activation.Tanh
        ? preActivation.PointwiseTanh()
        : preActivation.Map(a => ActivationFunctions.Apply(Activation.Relu, a));

    /// <summary>Copies <paramref name="m"/> into a new dense (column-major) matrix.</summary>
    private static Matrix<double> Dense(Matrix<double> m) => Matrix<double>.Build.DenseOfMatrix(m);

    /// <summary>Copies the single row of a 1×n matrix into <paramref name="destination"/>.</summary>
    private static void CopyRowInto(Matrix<double> row, double[] destination)
    {
        for (int j = 0; j < destination.Length; j++)
        {
            destination[j] = row.At(0, j);
        }
    }
}
