using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// Separate models on separate threads: each thread builds its own <see cref="RNN"/> and optimiser and
/// trains it (Forward, TimeStep, BPTT, clipping, an optimiser step, sampling) while the other does the
/// same, and every number it produces must be bit for bit what the same work gives on one thread alone.
/// </summary>
public sealed class ThreadSafetyTests
{
    private const int Rounds = 80;

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void CanTrainSeparateModelsOnSeparateThreadsBitIdentically(int threads)
    {
        int[] seeds = Enumerable.Range(0, threads).Select(k => 101 + (37 * k)).ToArray();
        long[][] alone = seeds.Select(seed => Workload(seed, start: null)).ToArray();

        for (int repeat = 0; repeat < 2; repeat++)
        {
            long[]?[] together = new long[threads][];
            Exception?[] errors = new Exception?[threads];
            using var start = new Barrier(threads);
            Thread[] workers = seeds.Select((seed, k) => new Thread(() =>
            {
                try
                {
                    together[k] = Workload(seed, start);
                }
                catch (Exception error)
                {
                    errors[k] = error;
                }
            })).ToArray();
            foreach (Thread worker in workers)
            {
                worker.Start();
            }

            foreach (Thread worker in workers)
            {
                Assert.True(worker.Join(TimeSpan.FromMinutes(2)), "a worker did not finish");
            }

            for (int k = 0; k < threads; k++)
            {
                Assert.Null(errors[k]);
                AssertSameTranscript(alone[k], together[k]!, $"repeat {repeat}, thread {k} (seed {seeds[k]})");
            }
        }
    }

    [Fact]
    public void CanTranscriptTellSeedsApart()
    {
        // The comparison above can fail: two seeds give different transcripts, and one seed the same twice.
        long[] a = Workload(1, null), b = Workload(2, null);

        Assert.NotEqual(a, b);
        Assert.Equal(a, Workload(1, null));
    }

    /// <summary>
    /// Training from <paramref name="seed"/>, the model built after the start signal so that
    /// construction (which pins MathNet's provider) runs concurrently too. Returns every number
    /// produced, as 64-bit patterns: outputs, states, losses, gradient norms, samples, final parameters.
    /// </summary>
    private static long[] Workload(int seed, Barrier? start)
    {
        const int inputs = 12, hidden = 64, steps = 24;
        start?.SignalAndWait();
        // Weights of scale 0.1 keep the relu models' states bounded (Build.Network's 0.5 makes them explode).
        RNN model = new(
            Build.Random(inputs, hidden, seed, 0.1),
            Build.Random(hidden, hidden, seed + 1, 0.1),
            Build.Random(hidden, inputs, seed + 2, 0.1),
            Build.Random(1, hidden, seed + 3, 0.1),
            seed % 2 == 0 ? Activation.Tanh : Activation.Relu,
            Build.Random(1, hidden, seed + 4, 0.1),
            Build.Random(1, inputs, seed + 5, 0.1));
        IOptimizer optimiser = seed % 3 == 0 ? new Sgd(0.05) : new Adagrad(0.1);
        var transcript = new List<long>();
        var random = new Random(seed);
        for (int round = 0; round < Rounds; round++)
        {
            Matrix<double> xs = Matrix<double>.Build.Dense(steps, inputs, (_, _) => random.NextDouble() - 0.5);
            int[] targets = Build.Targets(steps, inputs, random.Next());

            (Matrix<double> outputs, Matrix<double> states) = model.Forward(xs);
            Add(transcript, outputs);
            Add(transcript, states);
            Add(transcript, model.TimeStep(xs.SubMatrix(0, 1, 0, inputs)));

            BpttResult result = Bptt.Run(model, xs, targets);
            Assert.True(double.IsFinite(result.Loss), $"seed {seed}, round {round}: loss {result.Loss}");
            transcript.Add(BitConverter.DoubleToInt64Bits(result.Loss));
            transcript.Add(BitConverter.DoubleToInt64Bits(Bptt.ClipGlobalNorm(result.Gradients, 25.0)));
            Bptt.ClipElementwise(result.Gradients, 5.0);
            optimiser.Step(model, result.Gradients);
            Add(transcript, result.FinalState);

            if (round % 10 == 0)
            {
                double[] uniforms = Enumerable.Range(0, 20).Select(_ => random.NextDouble()).ToArray();
                transcript.AddRange(Sampler.Sample(model, random.Next(inputs), uniforms, 0.8).Select(i => (long)i));
            }
        }

        foreach (Matrix<double> parameter in Build.Snapshot(model))
        {
            Add(transcript, parameter);
        }

        return [.. transcript];
    }

    private static void Add(List<long> transcript, Matrix<double> m)
    {
        transcript.Add(((long)m.RowCount << 32) | (uint)m.ColumnCount);
        foreach (double v in m.ToColumnMajorArray())
        {
            transcript.Add(BitConverter.DoubleToInt64Bits(v));
        }
    }

    private static void AssertSameTranscript(long[] expected, long[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} numbers, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                expected[i] == actual[i],
                $"{what}: number {i} of {expected.Length} differs: {BitConverter.Int64BitsToDouble(actual[i]):R}, alone {BitConverter.Int64BitsToDouble(expected[i]):R}");
        }
    }
}
