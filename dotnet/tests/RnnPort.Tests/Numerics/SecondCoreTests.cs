namespace RnnPort.Tests;

/// <summary>
/// <see cref="SecondCore"/>'s hand-over: every column of a job is run exactly once per job, by either thread,
/// in both chunk orders (even and odd generations), with a last chunk shorter than the others.
/// </summary>
public sealed class SecondCoreTests
{
    [Theory]
    [InlineData(1024, 64)]
    [InlineData(300, 32)]
    [InlineData(257, 32)]
    [InlineData(96, 32)]
    public void CanRunEveryColumnExactlyOncePerJob(int count, int width)
    {
        var job = new CountingJob(count);
        for (int run = 0; run < 400; run++)
        {
            SecondCore.Shared?.ResetBackOff();
            if (SecondCore.Shared is null || !SecondCore.Shared.TryRun(job, count, width))
            {
                job.Run(0, count);
            }

            Assert.True(job.EveryColumnOnce(), $"job {run}: a column was skipped or run twice");
            job.Clear();
        }

        Assert.True(SecondCore.Shared is null || job.HelperRan, "the helper never ran a chunk");
    }

    [Fact]
    public void CanDetectAColumnRunTwice()
    {
        // The negative control of the check above: a column run twice (or never) is seen.
        var job = new CountingJob(64);
        job.Run(0, 64);
        job.Run(10, 11);
        Assert.False(job.EveryColumnOnce());
        job.Clear();
        job.Run(0, 63);
        Assert.False(job.EveryColumnOnce());
    }

    private sealed class CountingJob(int count) : IColumnJob
    {
        private readonly int[] _runs = new int[count];
        private readonly int _caller = Environment.CurrentManagedThreadId;

        internal bool HelperRan { get; private set; }

        public void Run(int from, int to)
        {
            if (Environment.CurrentManagedThreadId != _caller)
            {
                HelperRan = true;
            }

            for (int j = from; j < to; j++)
            {
                Interlocked.Increment(ref _runs[j]);
                Thread.SpinWait(20);  // a few µs per chunk, like a real step, so that the helper arrives in time
            }
        }

        internal bool EveryColumnOnce() => Array.TrueForAll(_runs, r => r == 1);

        internal void Clear() => Array.Clear(_runs);
    }
}
