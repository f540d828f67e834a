using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// The allocation-free forward pass and BPTT against the straightforward MathNet code they replaced,
/// bit for bit, and the proof that they allocate nothing per timestep.
/// </summary>
public sealed class FastPathTests
{
    /// <summary>Shapes (I, H, O, T) with H = 1, small and odd sizes, and sizes above 64 (MathNet's
    /// managed provider changes nothing about the order there, but its parallel path starts at large sizes).</summary>
    public static TheoryData<int, int, int, int, Activation, bool, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int, Activation, bool, int>
        {
            { 1, 1, 1, 5, Activation.Tanh, false, 1 },
            { 3, 1, 2, 9, Activation.Relu, true, 2 },
            { 4, 5, 3, 17, Activation.Tanh, true, 3 },
            { 64, 64, 64, 12, Activation.Tanh, false, 4 },
            { 70, 65, 67, 10, Activation.Relu, true, 5 },
            { 5, 130, 3, 8, Activation.Tanh, true, 6 },
            { 129, 7, 1, 6, Activation.Relu, false, 7 },

            // Every panel width of the vectorised kernel (32, 8 or 16, 4, and scalar leftovers), in H and in O.
            { 33, 47, 45, 6, Activation.Tanh, true, 8 },
            { 20, 256, 61, 4, Activation.Relu, true, 9 },
            { 9, 28, 13, 5, Activation.Tanh, false, 10 },
            { 2, 99, 2, 3, Activation.Tanh, true, 11 },

            // The blocked forward pass (16 timesteps a block, a partial last block), the four-row projections
            // with leftover columns, and the recurrent step split across two cores (H·H ≥ 2¹⁶).
            { 64, 256, 64, 37, Activation.Tanh, true, 12 },
            { 17, 300, 33, 21, Activation.Relu, true, 13 },
            { 8, 1024, 8, 18, Activation.Tanh, false, 14 },
        };
        var random = new Random(2024);
        for (int n = 0; n < 8; n++)
        {
            data.Add(
                random.Next(1, 100), random.Next(1, 150), random.Next(1, 90), random.Next(1, 30),
                random.Next(2) == 0 ? Activation.Tanh : Activation.Relu, random.Next(2) == 0, 100 + n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CanForwardBitIdenticallyToMathNetOperators(int i, int h, int o, int t, Activation activation, bool biases, int seed)
    {
        RNN model = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        Matrix<double> inputs = Inputs(t, i, seed);
        (Matrix<double> expectedOutputs, Matrix<double> expectedStates) = Reference.Forward(model, model.State, inputs);

        (Matrix<double> outputs, Matrix<double> states) = model.Forward(inputs);

        Build.AssertBitIdentical(expectedOutputs, outputs);
        Build.AssertBitIdentical(expectedStates, states);
        Build.AssertBitIdentical(expectedStates.SubMatrix(t - 1, 1, 0, h), model.State);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CanTimeStepBitIdenticallyToMathNetOperators(int i, int h, int o, int t, Activation activation, bool biases, int seed)
    {
        RNN model = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        Matrix<double> inputs = Inputs(t, i, seed);
        (Matrix<double> expectedOutputs, Matrix<double> expectedStates) = Reference.Forward(model, model.State, inputs);

        for (int step = 0; step < t; step++)
        {
            Build.AssertBitIdentical(expectedOutputs.SubMatrix(step, 1, 0, o), model.TimeStep(inputs.SubMatrix(step, 1, 0, i)));
            Build.AssertBitIdentical(expectedStates.SubMatrix(step, 1, 0, h), model.State);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CanRunBpttBitIdenticallyToTheMathNetVersion(int i, int h, int o, int t, Activation activation, bool biases, int seed)
    {
        RNN model = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        Matrix<double> inputs = Inputs(t, i, seed);
        int[] targets = Build.Targets(t, o, seed + 1);
        Matrix<double> start = Build.Random(1, h, seed + 2);
        (double expectedLoss, Gradients expected, Matrix<double> expectedFinal) = Reference.Bptt(model, inputs, targets, start);

        BpttResult result = Bptt.Run(model, inputs, targets, start);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expectedLoss), BitConverter.DoubleToInt64Bits(result.Loss));
        Build.AssertBitIdentical(expected.InputWeights, result.Gradients.InputWeights);
        Build.AssertBitIdentical(expected.RecurrentWeights, result.Gradients.RecurrentWeights);
        Build.AssertBitIdentical(expected.OutputWeights, result.Gradients.OutputWeights);
        Assert.Equal(biases, result.Gradients.HiddenBias is not null);
        if (biases)
        {
            Build.AssertBitIdentical(expected.HiddenBias!, result.Gradients.HiddenBias!);
            Build.AssertBitIdentical(expected.OutputBias!, result.Gradients.OutputBias!);
        }

        Build.AssertBitIdentical(expected.InitialState, result.Gradients.InitialState);
        Build.AssertBitIdentical(expectedFinal, result.FinalState);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CanMatchTheLibrarysOwnMathNetKernelBitForBit(int i, int h, int o, int t, Activation activation, bool biases, int seed)
    {
        RNN fast = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        RNN reference = Build.Network(i, h, o, seed, activation, nonZeroInitialState: true, biases);
        reference.Kernel = Kernel.MathNet;
        Matrix<double> inputs = Inputs(t, i, seed);
        int[] targets = Build.Targets(t, o, seed + 1);

        BpttResult expectedBptt = Bptt.Run(reference, inputs, targets);
        BpttResult bptt = Bptt.Run(fast, inputs, targets);
        (Matrix<double> expectedOutputs, Matrix<double> expectedStates) = reference.Forward(inputs);
        (Matrix<double> outputs, Matrix<double> states) = fast.Forward(inputs);

        Assert.Equal(BitConverter.DoubleToInt64Bits(expectedBptt.Loss), BitConverter.DoubleToInt64Bits(bptt.Loss));
        Build.AssertBitIdentical(expectedBptt.Gradients.RecurrentWeights, bptt.Gradients.RecurrentWeights);
        Build.AssertBitIdentical(expectedBptt.Gradients.InitialState, bptt.Gradients.InitialState);
        Build.AssertBitIdentical(expectedOutputs, outputs);
        Build.AssertBitIdentical(expectedStates, states);
        for (int step = 0; step < t; step++)
        {
            Matrix<double> x = inputs.SubMatrix(step, 1, 0, i);
            Build.AssertBitIdentical(reference.TimeStep(x), fast.TimeStep(x));
            Build.AssertBitIdentical(reference.State, fast.State);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CanForwardBitIdenticallyAfterOptimiserSteps(bool adagrad)
    {
        // The default kernel reads packed copies of the weights; the MathNet kernel reads the live
        // matrices. After in-place updates both must still agree, which they do only if every update
        // refreshes the copies.
        RNN fast = Build.Network(7, 45, 11, 31, Activation.Tanh, nonZeroInitialState: true, biases: true);
        RNN reference = Build.Network(7, 45, 11, 31, Activation.Tanh, nonZeroInitialState: true, biases: true);
        reference.Kernel = Kernel.MathNet;
        IOptimizer fastOptimiser = adagrad ? new Adagrad(0.1) : new Sgd(0.1);
        IOptimizer referenceOptimiser = adagrad ? new Adagrad(0.1) : new Sgd(0.1);
        Matrix<double> inputs = Inputs(6, 7, 32);
        int[] targets = Build.Targets(6, 11, 33);
        for (int round = 0; round < 3; round++)
        {
            fastOptimiser.Step(fast, Bptt.Run(fast, inputs, targets).Gradients);
            referenceOptimiser.Step(reference, Bptt.Run(reference, inputs, targets).Gradients);
            (Matrix<double> expectedOutputs, Matrix<double> expectedStates) = reference.Forward(inputs);
            (Matrix<double> outputs, Matrix<double> states) = fast.Forward(inputs);
            Build.AssertBitIdentical(expectedOutputs, outputs);
            Build.AssertBitIdentical(expectedStates, states);
            Matrix<double> x = inputs.SubMatrix(0, 1, 0, 7);
            Build.AssertBitIdentical(reference.TimeStep(x), fast.TimeStep(x));
        }
    }

    [Fact]
    public void CanKeepSignedZerosAsMathNetDoes()
    {
        // Inputs, state and biases full of −0.0 and +0.0, relu (which maps −0.0 to +0.0) and tanh (which
        // keeps the sign of zero): a sum that came out −0.0 would show here.
        foreach (Activation activation in new[] { Activation.Relu, Activation.Tanh })
        {
            var model = new RNN(
                Matrix<double>.Build.Dense(3, 4, (r, c) => (r + c) % 2 == 0 ? -0.0 : 0.0),
                Matrix<double>.Build.Dense(4, 4, (r, c) => r == c ? -0.5 : -0.0),
                Matrix<double>.Build.Dense(4, 2, (r, c) => (r + c) % 3 == 0 ? -1.0 : -0.0),
                Matrix<double>.Build.Dense(1, 4, (_, c) => c % 2 == 0 ? -0.0 : 0.0),
                activation,
                Matrix<double>.Build.Dense(1, 4, -0.0),
                Matrix<double>.Build.Dense(1, 2, -0.0));
            Matrix<double> inputs = Matrix<double>.Build.Dense(6, 3, (r, c) => r % 2 == 0 ? -0.0 : (c == r % 3 ? 1.0 : -0.0));
            (Matrix<double> expectedOutputs, Matrix<double> expectedStates) = Reference.Forward(model, model.State, inputs);

            (Matrix<double> outputs, Matrix<double> states) = model.Forward(inputs);

            Build.AssertBitIdentical(expectedOutputs, outputs);
            Build.AssertBitIdentical(expectedStates, states);
        }
    }

    // "Per timestep" below means: the bytes allocated by one call minus those that grow with T because
    // the call returns T×O and T×H matrices (and, for BPTT, the T×O softmax). Two calls that differ only
    // in T must differ by exactly those result arrays; anything allocated per timestep, even one empty
    // object (24 bytes), would add at least 24·ΔT = 24,000 bytes to the difference.

    [Theory]
    [InlineData(8, 64, 8, Activation.Tanh, false)]
    [InlineData(64, 256, 64, Activation.Relu, true)]
    public void CanForwardWithoutAllocatingPerTimestep(int i, int h, int o, Activation activation, bool biases)
    {
        // Recurrent weights scaled by 1/H: unscaled, the relu network overflows at step 590, which
        // Forward now refuses (NonFiniteResultException) instead of returning infinities.
        RNN model = new(
            Build.Random(i, h, 1),
            Build.Random(h, h, 2).Divide(h),
            Build.Random(h, o, 3),
            null,
            activation,
            biases ? Build.Random(1, h, 5) : null,
            biases ? Build.Random(1, o, 6) : null);
        Matrix<double> shortRun = Build.Random(1000, i, seed: 2), longRun = Build.Random(2000, i, seed: 3);
        model.Forward(longRun);  // compile and warm up first
        model.Forward(shortRun);

        long shortBytes = Allocated(() => model.Forward(shortRun));
        long longBytes = Allocated(() => model.Forward(longRun));

        long resultGrowth = 1000L * (h + o) * sizeof(double);  // T×H states and T×O outputs
        long perTimestep = longBytes - shortBytes - resultGrowth;
        Assert.True(perTimestep < 1000, $"T=1000: {shortBytes} B, T=2000: {longBytes} B, growth beyond the results: {perTimestep} B");
    }

    [Fact]
    public void CanTimeStepAllocatingOnlyTheReturnedOutput()
    {
        RNN model = Build.Network(16, 128, 16, seed: 4);
        Matrix<double> input = Build.Random(1, 16, seed: 5);
        Loop(model, input, 2000);  // warm up
        long oneOutput = Allocated(() => Matrix<double>.Build.Dense(1, 16));

        long shortBytes = Allocated(() => Loop(model, input, 1000));
        long longBytes = Allocated(() => Loop(model, input, 2000));

        Assert.Equal(1000 * oneOutput, longBytes - shortBytes);

        static void Loop(RNN model, Matrix<double> input, int steps)
        {
            for (int n = 0; n < steps; n++)
            {
                model.TimeStep(input);
            }
        }
    }

    [Fact]
    public void CanRunBpttWithoutAllocatingPerTimestep()
    {
        const int i = 32, h = 96, o = 32;
        RNN model = Build.Network(i, h, o, seed: 6, Activation.Tanh, nonZeroInitialState: true, biases: true);
        Matrix<double> shortRun = OneHot(Build.Targets(100, i, seed: 7), i), longRun = OneHot(Build.Targets(200, i, seed: 8), i);
        int[] shortTargets = Build.Targets(100, o, seed: 9), longTargets = Build.Targets(200, o, seed: 10);
        Bptt.Run(model, longRun, longTargets);
        Bptt.Run(model, shortRun, shortTargets);

        long shortBytes = Allocated(() => Bptt.Run(model, shortRun, shortTargets));
        long longBytes = Allocated(() => Bptt.Run(model, longRun, longTargets));

        long resultGrowth = 100L * (h + o + o) * sizeof(double);  // T×H states, T×O outputs, T×O probabilities
        long perTimestep = longBytes - shortBytes - resultGrowth;
        Assert.True(perTimestep < 100, $"T=100: {shortBytes} B, T=200: {longBytes} B, growth beyond the T-sized arrays: {perTimestep} B");
    }

    [Fact]
    public void CanResetWithoutAllocating()
    {
        RNN model = Build.Network(3, 50, 2, seed: 11, nonZeroInitialState: true);
        model.Reset();

        Assert.Equal(0, Allocated(model.Reset));
    }

    /// <summary>
    /// Bytes the action allocates on this thread: the least of three runs, because a run can also pay
    /// for one-off work the runtime does on the calling thread (a tier-up, a type load), which would
    /// make a single difference of two runs noisy, even negative.
    /// </summary>
    internal static long Allocated(Action action)
    {
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    /// <summary>Random inputs with exact zeros and −0.0 mixed in, as one-hot rows have.</summary>
    private static Matrix<double> Inputs(int rows, int columns, int seed)
    {
        var random = new Random(seed + 50);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => random.Next(4) switch
        {
            0 => 0.0,
            1 => -0.0,
            _ => 2.0 * random.NextDouble() - 1.0,
        });
    }

    private static Matrix<double> OneHot(int[] indices, int size) =>
        Matrix<double>.Build.Dense(indices.Length, size, (t, k) => indices[t] == k ? 1.0 : 0.0);

    /// <summary>
    /// The code this commit replaced, kept verbatim in spirit: MathNet's operators for the forward pass,
    /// and BPTT reading every element through <c>At</c> with the k- and j-sums written as dot products.
    /// </summary>
    private static class Reference
    {
        internal static (Matrix<double> Outputs, Matrix<double> States) Forward(RNN model, Matrix<double> start, Matrix<double> inputs)
        {
            int steps = inputs.RowCount, hidden = model.HiddenSize;
            Matrix<double>? hiddenBias = model.HiddenBias, outputBias = model.OutputBias;
            Matrix<double> projected = inputs.Multiply(model.InputWeights);
            Matrix<double> states = Matrix<double>.Build.Dense(steps, hidden);
            Matrix<double> recurrent = model.RecurrentWeights;
            Matrix<double> state = start;
            for (int t = 0; t < steps; t++)
            {
                Matrix<double> sum = state.Multiply(recurrent) + projected.SubMatrix(t, 1, 0, hidden);
                if (hiddenBias is not null)
                {
                    sum += hiddenBias;
                }

                state = model.Activation == Activation.Tanh
                    ? sum.PointwiseTanh()
                    : sum.Map(a => ActivationFunctions.Apply(Activation.Relu, a));
                states.SetRow(t, state.Row(0));
            }

            Matrix<double> outputs = states.Multiply(model.OutputWeights);
            if (outputBias is not null)
            {
                for (int c = 0; c < outputs.ColumnCount; c++)
                {
                    for (int t = 0; t < steps; t++)
                    {
                        outputs.At(t, c, outputs.At(t, c) + outputBias.At(0, c));
                    }
                }
            }

            return (outputs, states);
        }

        internal static (double Loss, Gradients Gradients, Matrix<double> FinalState) Bptt(
            RNN model, Matrix<double> inputs, int[] targets, Matrix<double> start)
        {
            (Matrix<double> outputs, Matrix<double> states) = Forward(model, start, inputs);
            double loss = Loss.CrossEntropy(outputs, targets);
            Matrix<double> probabilities = Loss.Softmax(outputs);
            int steps = inputs.RowCount, inputSize = model.InputSize, hidden = model.HiddenSize, outputSize = model.OutputSize;
            Matrix<double> outputWeights = model.OutputWeights, recurrentWeights = model.RecurrentWeights;
            var dInput = Matrix<double>.Build.Dense(inputSize, hidden);
            var dRecurrent = Matrix<double>.Build.Dense(hidden, hidden);
            var dOutput = Matrix<double>.Build.Dense(hidden, outputSize);
            Matrix<double>? dHiddenBias = model.HiddenBias is null ? null : Matrix<double>.Build.Dense(1, hidden);
            Matrix<double>? dOutputBias = model.OutputBias is null ? null : Matrix<double>.Build.Dense(1, outputSize);
            var dhNext = new double[hidden];
            for (int t = steps - 1; t >= 0; t--)
            {
                var dy = new double[outputSize];
                for (int k = 0; k < outputSize; k++)
                {
                    dy[k] = probabilities.At(t, k);
                }

                dy[targets[t]] -= 1.0;
                for (int k = 0; k < outputSize; k++)
                {
                    for (int j = 0; j < hidden; j++)
                    {
                        dOutput.At(j, k, dOutput.At(j, k) + states.At(t, j) * dy[k]);
                    }

                    dOutputBias?.At(0, k, dOutputBias.At(0, k) + dy[k]);
                }

                var da = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double sum = 0.0;
                    for (int k = 0; k < outputSize; k++)
                    {
                        sum += dy[k] * outputWeights.At(j, k);
                    }

                    double dh = sum + dhNext[j];
                    double hj = states.At(t, j);
                    da[j] = model.Activation == Activation.Tanh ? (1.0 - hj * hj) * dh : (hj > 0.0 ? dh : 0.0);
                    dHiddenBias?.At(0, j, dHiddenBias.At(0, j) + da[j]);
                }

                for (int j = 0; j < hidden; j++)
                {
                    for (int i = 0; i < inputSize; i++)
                    {
                        dInput.At(i, j, dInput.At(i, j) + inputs.At(t, i) * da[j]);
                    }

                    for (int i = 0; i < hidden; i++)
                    {
                        double previous = t > 0 ? states.At(t - 1, i) : start.At(0, i);
                        dRecurrent.At(i, j, dRecurrent.At(i, j) + previous * da[j]);
                    }
                }

                for (int i = 0; i < hidden; i++)
                {
                    double sum = 0.0;
                    for (int j = 0; j < hidden; j++)
                    {
                        sum += da[j] * recurrentWeights.At(i, j);
                    }

                    dhNext[i] = sum;
                }
            }

            var gradients = new Gradients(
                dInput, dRecurrent, dOutput, dHiddenBias, dOutputBias, Matrix<double>.Build.DenseOfRowArrays(dhNext));
            return (loss, gradients, states.SubMatrix(steps - 1, 1, 0, hidden));
        }
    }
}
