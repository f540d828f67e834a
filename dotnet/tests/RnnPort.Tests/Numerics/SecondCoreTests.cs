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

/// <summary>
/// How <see cref="SecondCore"/> starts and stops sharing: a sleeping helper is woken but not waited for, a helper
/// that keeps the caller waiting is left alone for a while, and the woken helper is kept off the caller's core.
/// Not run in parallel with other tests: they would take the helper (a busy helper runs jobs serially too).
/// </summary>
[Collection(SecondCoreAlone.Name)]
public sealed class SecondCoreSharingTests
{
    private static SecondCore Helper => SecondCore.Shared ?? throw new InvalidOperationException("one processor: no second core");

    [TwoCoresFact]
    public void CanWakeASleepingHelperAndShareAgain()
    {
        Helper.ResetBackOff();
        Thread.Sleep(100);  // the helper spins 200 µs after its last job, then sleeps
        Assert.False(Helper.IsAwake, "the helper should sleep when nothing was posted for 100 ms");

        var job = new TimedJob(helperDelayTicks: 0);
        Assert.True(Helper.TryRun(job, 256, 64), "a job posted to a sleeping helper is run (by the caller until the helper arrives)");
        Assert.Equal(256, job.Columns);

        // Jobs in quick succession, as a recurrence posts them, until the woken helper takes a chunk.
        Assert.True(UntilTheHelperTakesPart(job), "the helper was woken but took no chunk within 5 s");
        int before = Helper.HelperChunks;
        for (int n = 0; n < 200; n++)
        {
            if (!Helper.TryRun(job.Cleared(), 256, 64))
            {
                job.Run(0, 256);  // backing off (a busy machine): the caller runs it, as the kernels do
            }

            Assert.Equal(256, job.Columns);
        }

        Assert.True(Helper.HelperChunks > before, "the awake helper never took a chunk");
    }

    [TwoCoresFact]
    public void CanBackOffFromAHelperThatKeepsTheCallerWaiting()
    {
        // 1 ms in each helper chunk against microseconds of the caller's: waiting dwarfs working. Up to three
        // windows, in case the helper was kept from its chunks for a whole one (then nobody waited).
        var slow = new TimedJob(helperDelayTicks: System.Diagnostics.Stopwatch.Frequency / 1000);
        int[] serial = Enumerable.Range(0, 3).Select(_ => CountSerialAfterOneWindow(slow)).ToArray();
        Assert.True(serial.Max() >= SecondCore.BackOffJobs, $"jobs run alone after each window: {string.Join(", ", serial)}");
    }

    [TwoCoresFact]
    public void CanKeepSharingWithAPunctualHelper()
    {
        // The negative control of the back-off: the same protocol with a helper as fast as the caller does not back
        // off. Up to three windows, in case another process preempted the helper for a millisecond in one.
        var punctual = new TimedJob(helperDelayTicks: 0);
        int[] serial = Enumerable.Range(0, 3).Select(_ => CountSerialAfterOneWindow(punctual)).ToArray();
        Assert.True(serial.Min() == 0, $"jobs run alone after each window: {string.Join(", ", serial)}");
    }

    [TwoCoresFact(LinuxOnly = true)]
    public void CanKeepTheWokenHelperOffTheCallersCore()
    {
        var job = new TimedJob(helperDelayTicks: 0);
        for (int attempt = 0; ; attempt++)
        {
            Helper.ResetBackOff();
            Thread.Sleep(100);
            Assert.False(Helper.IsAwake);
            int core = CorePlacement.CurrentCore();
            Assert.True(Helper.TryRun(job.Cleared(), 256, 64));  // wakes the helper, after taking this core out of its affinity
            if (CorePlacement.CurrentCore() != core && attempt < 5)
            {
                continue;  // this thread moved while waking it: which core was taken out is not known
            }

            string allowed = AllowedList(Helper.HelperThreadId);
            Assert.False(ParseList(allowed).Contains(core), $"the helper may run on the caller's core {core}: {allowed}");
            Assert.NotEmpty(ParseList(allowed));
            return;
        }
    }

    [TwoCoresFact(LinuxOnly = true)]
    public void CanRefuseToTakeAThreadOffItsOnlyCore()
    {
        // CorePlacement's own check, with its negative control: a mask that would leave no core is not applied.
        int thread = CorePlacement.CurrentThreadId();
        byte[] onlyCore0 = new byte[128];
        onlyCore0[0] = 1;
        string before = AllowedList(thread);
        Assert.False(CorePlacement.KeepOff(thread, 0, onlyCore0));
        Assert.Equal(before, AllowedList(thread));
        byte[] mine = CorePlacement.AllowedCores();
        int first = ParseList(before).Min();
        string after = "not run";
        var other = new Thread(() =>
        {
            int id = CorePlacement.CurrentThreadId();
            after = CorePlacement.KeepOff(id, first, mine) ? AllowedList(id) : "refused";
        });
        other.Start();
        other.Join();
        Assert.NotEqual("refused", after);
        Assert.DoesNotContain(first, ParseList(after));
    }

    [TwoCoresTheory]
    [InlineData(16, 64, 256, false)]
    [InlineData(16, 256, 64, false)]
    [InlineData(7, 40, 300, false)]
    [InlineData(16, 1024, 72, true)]
    [InlineData(5, 64, 256, true)]
    public void CanShareABlocksProjectionBitIdentically(int rows, int k, int n, bool fused)
    {
        // A block's input or output projection on two cores: the same bits as on one, and the helper takes part.
        var random = new Random(rows * 1000 + n);
        double[] xs = Enumerable.Range(0, rows * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] weights = Enumerable.Range(0, k * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] packed = new double[k * n];
        SequentialKernels.Pack(weights, k, n, packed);
        double[] alone = new double[rows * n], shared = new double[rows * n];
        Assert.True(PackedProduct.Splits(rows * k, n), "the shape should be large enough to split");
        if (fused)
        {
            PackedProduct.RowsTimesPacked<Fused>(xs, rows, packed, alone);
        }
        else
        {
            PackedProduct.RowsTimesPacked<Separate>(xs, rows, packed, alone);
        }

        Helper.ResetBackOff();
        int before = Helper.HelperChunks;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        for (int run = 0; run < 200 || (Helper.HelperChunks == before && DateTime.UtcNow < deadline); run++)
        {
            Array.Fill(shared, double.NaN);
            if (fused)
            {
                PackedProduct.RowsTimesPackedOnTwoCores<Fused>(xs, rows, packed, shared);
            }
            else
            {
                PackedProduct.RowsTimesPackedOnTwoCores<Separate>(xs, rows, packed, shared);
            }

            Assert.Equal(alone.Select(BitConverter.DoubleToInt64Bits), shared.Select(BitConverter.DoubleToInt64Bits));
        }

        Assert.True(Helper.HelperChunks > before, "the helper never took a chunk of the projection");
    }

    /// <summary>Shares jobs until one window has passed, then counts the jobs run serially before sharing resumes (up to 4096).</summary>
    private static int CountSerialAfterOneWindow(TimedJob job)
    {
        Helper.ResetBackOff();
        Assert.True(UntilTheHelperTakesPart(job), "the helper took no chunk within 5 s");
        Helper.ResetBackOff();  // a new window from here
        for (int n = 0; n < SecondCore.WindowJobs; n++)
        {
            Assert.True(Helper.TryRun(job.Cleared(), 256, 64), $"job {n} of the first window was not shared");
        }

        int serial = 0;
        while (serial < 4096 && !Helper.TryRun(job.Cleared(), 256, 64))
        {
            serial++;
        }

        Helper.ResetBackOff();
        return serial;
    }

    /// <summary>Runs the job (caller and helper) over and over until the helper has taken a chunk, or 5 s pass.</summary>
    private static bool UntilTheHelperTakesPart(TimedJob job)
    {
        int before = Helper.HelperChunks;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Helper.HelperChunks == before && DateTime.UtcNow < deadline)
        {
            if (!Helper.TryRun(job.Cleared(), 256, 64))
            {
                job.Run(0, 256);
            }
        }

        return Helper.HelperChunks != before;
    }

    private static string AllowedList(int thread) =>
        File.ReadLines($"/proc/self/task/{thread}/status").First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();

    private static HashSet<int> ParseList(string list)
    {
        var cores = new HashSet<int>();
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] range = part.Split('-');
            int from = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
            int to = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : from;
            for (int c = from; c <= to; c++)
            {
                cores.Add(c);
            }
        }

        return cores;
    }

    /// <summary>Counts the columns run; the helper's chunks each take <c>helperDelayTicks</c> longer.</summary>
    private sealed class TimedJob(long helperDelayTicks) : IColumnJob
    {
        private readonly int _caller = Environment.CurrentManagedThreadId;
        private int _columns;

        internal int Columns => Volatile.Read(ref _columns);

        internal TimedJob Cleared()
        {
            _columns = 0;
            return this;
        }

        public void Run(int from, int to)
        {
            long end = System.Diagnostics.Stopwatch.GetTimestamp() + (Environment.CurrentManagedThreadId == _caller ? 0 : helperDelayTicks);
            Interlocked.Add(ref _columns, to - from);
            Thread.SpinWait(200);  // about a microsecond of work per chunk on either thread
            while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
            {
                Thread.SpinWait(20);
            }
        }
    }
}

/// <summary>The tests that need the helper to themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecondCoreAlone
{
    internal const string Name = "the second core alone";
}

/// <summary>A test of the two-core hand-over: skipped, with the reason shown, on one processor (or off Linux where asked).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TwoCoresFactAttribute : FactAttribute
{
    public TwoCoresFactAttribute()
    {
        if (SecondCore.Shared is null)
        {
            Skip = "one processor: SecondCore shares nothing";
        }
    }

    /// <summary>Also skip off Linux (CorePlacement does nothing there).</summary>
    public bool LinuxOnly
    {
        get => false;
        init
        {
            if (value && !OperatingSystem.IsLinux() && Skip is null)
            {
                Skip = "core placement is Linux-only";
            }
        }
    }
}

/// <summary>A theory of the two-core hand-over: skipped, with the reason shown, on one processor.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TwoCoresTheoryAttribute : TheoryAttribute
{
    public TwoCoresTheoryAttribute()
    {
        if (SecondCore.Shared is null)
        {
            Skip = "one processor: SecondCore shares nothing";
        }
    }
}
