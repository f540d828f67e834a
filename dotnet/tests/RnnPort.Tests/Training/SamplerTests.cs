using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class SamplerTests
{
    private const int V = 6, H = 5;

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.2499999999999999, 0)]   // just below the first boundary, 0.25
    [InlineData(0.25, 1)]                 // on it: u < cdf is strict, so the next index
    [InlineData(0.7499999999999999, 1)]
    [InlineData(0.75, 3)]                 // index 2 has p = 0: never picked
    [InlineData(0.9999999999999999, 3)]
    public void CanPickByInverseCdf(double u, int expected)
    {
        double[] p = [0.25, 0.5, 0.0, 0.25, 0.0];

        Assert.Equal(expected, Sampler.Pick(p, u));
    }

    [Fact]
    public void CanFallBackToLastPositiveProbability()
    {
        // The running sum stops at 0.9 < u: rounding (or a short distribution) left mass unassigned.
        double[] p = [0.3, 0.6, 0.0];

        Assert.Equal(1, Sampler.Pick(p, 0.95));
    }

    [Fact]
    public void RejectsPickWithoutPositiveProbability()
    {
        Assert.Throws<ArgumentException>(() => Sampler.Pick([0.0, 0.0], 0.5));
        Assert.Throws<ArgumentException>(() => Sampler.Pick([], 0.5));
    }

    [Fact]
    public void CanSampleDeterministicallyLeavingStateUnchanged()
    {
        RNN model = Build.Network(V, H, V, seed: 4, biases: true);
        model.Forward(Build.Random(3, V, seed: 5));
        Matrix<double> before = model.State;
        double[] uniforms = Enumerable.Range(0, 40).Select(i => (i * 0.6180339887498949) % 1.0).ToArray();

        IReadOnlyList<int> first = Sampler.Sample(model, 2, uniforms, temperature: 0.8);
        IReadOnlyList<int> second = Sampler.Sample(model, 2, uniforms, temperature: 0.8);

        Assert.Equal(40, first.Count);
        Assert.Equal(first, second);
        Assert.All(first, i => Assert.InRange(i, 0, V - 1));
        Build.AssertBitIdentical(before, model.State);
    }

    [Fact]
    public void CanSampleAsStepSoftmaxPick()
    {
        RNN model = Build.Network(V, H, V, seed: 6);
        RNN replay = Build.Network(V, H, V, seed: 6);
        Matrix<double> start = Build.Random(1, H, seed: 7);
        double[] uniforms = [0.1, 0.9, 0.5, 0.3];

        IReadOnlyList<int> picks = Sampler.Sample(model, 3, uniforms, temperature: 1.5, state: start);

        replay.State = start;
        int index = 3;
        for (int n = 0; n < uniforms.Length; n++)
        {
            Matrix<double> y = replay.TimeStep(Vocabulary.OneHot([index], V));
            index = Sampler.Pick(Loss.Softmax(y, 1.5).Row(0).ToArray(), uniforms[n]);
            Assert.Equal(index, picks[n]);
        }

        Build.AssertBitIdentical(Matrix<double>.Build.Dense(1, H), model.State);  // back to where it was, not to `start`
    }

    [Fact]
    public void CanSampleNothing()
    {
        Assert.Empty(Sampler.Sample(Build.Network(V, H, V, seed: 1), 0, []));
    }

    /// <summary>Bad sampling calls: the typed error, and the state as it was.</summary>
    public static TheoryData<string, Func<RNN, IReadOnlyList<int>>, Type> RejectedSamples => new()
    {
        { "seed index too large", m => Sampler.Sample(m, V, [0.5]), typeof(ArgumentOutOfRangeException) },
        { "negative seed index", m => Sampler.Sample(m, -1, [0.5]), typeof(ArgumentOutOfRangeException) },
        { "uniform equal to 1", m => Sampler.Sample(m, 0, [0.5, 1.0]), typeof(ArgumentOutOfRangeException) },
        { "negative uniform", m => Sampler.Sample(m, 0, [-0.1]), typeof(ArgumentOutOfRangeException) },
        { "NaN uniform", m => Sampler.Sample(m, 0, [double.NaN]), typeof(ArgumentOutOfRangeException) },
        { "zero temperature", m => Sampler.Sample(m, 0, [0.5], 0.0), typeof(ArgumentOutOfRangeException) },
        { "NaN temperature", m => Sampler.Sample(m, 0, [0.5], double.NaN), typeof(ArgumentOutOfRangeException) },
        { "state wrong shape", m => Sampler.Sample(m, 0, [0.5], 1.0, Matrix<double>.Build.Dense(1, H + 1)), typeof(ShapeMismatchException) },
        { "I ≠ O", _ => Sampler.Sample(Build.Network(V, H, V + 1, seed: 2), 0, [0.5]), typeof(ArgumentException) },
    };

    [Theory]
    [MemberData(nameof(RejectedSamples))]
    public void RejectsBadSamplingLeavingStateUnchanged(string label, Func<RNN, IReadOnlyList<int>> sample, Type expectedError)
    {
        RNN model = Build.Network(V, H, V, seed: 8);
        model.Forward(Build.Random(2, V, seed: 9));
        Matrix<double>[] before = Build.Snapshot(model);

        Exception error = Assert.ThrowsAny<ArgumentException>(() => sample(model));

        Assert.True(expectedError == error.GetType(), $"{label}: expected {expectedError.Name}, got {error.GetType().Name}: {error.Message}");
        Build.AssertUnchanged(before, model);
    }
}
