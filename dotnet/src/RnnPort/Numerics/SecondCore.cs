using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace RnnPort;

/// <summary>A piece of work over output columns [from, to) that two threads can share: each column is computed by one thread alone.</summary>
internal interface IColumnJob
{
    /// <summary>Computes the columns from … to − 1; must not read what another range writes.</summary>
    /// <param name="from">First column.</param>
    /// <param name="to">One past the last column.</param>
    void Run(int from, int to);
}

/// <summary>
/// One persistent helper thread, created once per process, that runs the upper half of an
/// <see cref="IColumnJob"/> while the calling thread runs the lower half. Nothing is allocated per job:
/// the job is an object the caller keeps, the hand-over is two counters. Every column is computed by
/// exactly one thread with the same code, so the results do not depend on who ran what (the exact
/// kernels stay bit-identical).
/// </summary>
/// <remarks>
/// The machine may be shared: when the helper is not running yet by the time the caller has finished
/// its half, the caller claims the other half too (a compare-and-swap on a generation counter decides who
/// runs it, exactly once), so a descheduled helper costs at most the serial time. Between jobs the helper
/// spins for <see cref="SpinTicks"/> (the next step of a recurrence follows within microseconds), then
/// blocks on a monitor. One job at a time: a second caller that finds the helper busy runs serially.
/// A helper that is late (the caller waited more than a quarter of its own half, or did both halves)
/// more often than punctual, <see cref="LatenessLimit"/> times net, is sharing its core with other
/// processes, where one core is faster than two (measured here: 8 against 13–14 ms at H = 256); the
/// caller then runs <see cref="BackOffJobs"/> jobs serially before it tries the helper again.
/// </remarks>
internal sealed class SecondCore
{
    /// <summary>The shared helper, or null on a one-processor machine.</summary>
    internal static readonly SecondCore? Shared = Environment.ProcessorCount > 1 ? new SecondCore() : null;

    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;  // 200 µs

    private readonly object _gate = new();
    private IColumnJob? _job;
    private int _split, _count;
    private int _busy;        // 1 while a caller owns the helper
    private long _posted;     // generation of the last posted job
    private long _claimed;    // generation whose upper half has been claimed (by the helper or the caller)
    private long _done;       // generation whose upper half the helper has finished
    private int _sleeping;
    private int _lateness;    // late hand-overs minus punctual ones, floored at 0 (owned by the caller holding _busy)
    private int _serialJobs;  // jobs still to run serially after a back-off (owned likewise)

    /// <summary>Net late hand-overs after which the caller backs off.</summary>
    internal const int LatenessLimit = 8;

    /// <summary>Jobs run serially after a back-off (about two 1000-step sequences), before the helper is tried again.</summary>
    internal const int BackOffJobs = 2048;

    private SecondCore()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "RnnPort second core" };
        thread.Start();
    }

    /// <summary>
    /// Runs <c>job.Run(0, split)</c> here and <c>job.Run(split, count)</c> on the helper (or here, when the
    /// helper is late), and returns when both are done. Returns false without running anything when the
    /// helper is busy with another caller's job.
    /// </summary>
    internal bool TryRun(IColumnJob job, int split, int count)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        if (_serialJobs > 0)
        {
            _serialJobs--;  // backing off: the helper was late too often (a busy machine)
            Volatile.Write(ref _busy, 0);
            return false;
        }

        _job = job;
        _split = split;
        _count = count;
        long generation = Interlocked.Increment(ref _posted);  // a full fence: the fields above are visible first
        if (Volatile.Read(ref _sleeping) != 0)
        {
            lock (_gate)
            {
                Monitor.Pulse(_gate);
            }
        }

        long started = Stopwatch.GetTimestamp();
        job.Run(0, split);
        long finished = Stopwatch.GetTimestamp();
        bool late;
        if (Interlocked.CompareExchange(ref _claimed, generation, generation - 1) == generation - 1)
        {
            job.Run(split, count);  // the helper had not started: do its half here
            late = true;
        }
        else
        {
            while (Volatile.Read(ref _done) != generation)
            {
                Thread.SpinWait(8);  // pause instructions only: a yield could hand the core away for a whole time slice
            }

            late = Stopwatch.GetTimestamp() - finished > (finished - started) / 4;
        }

        // A helper that keeps arriving late is sharing its core with other processes; then one core is
        // faster than two, so run serially for a while and try again later.
        _lateness = late ? _lateness + 1 : Math.Max(0, _lateness - 1);
        if (_lateness >= LatenessLimit)
        {
            _lateness = 0;
            _serialJobs = BackOffJobs;
        }

        _job = null;
        Volatile.Write(ref _busy, 0);
        return true;
    }

    private void Loop()
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForPosted(seen);
            if (Interlocked.CompareExchange(ref _claimed, seen, seen - 1) != seen - 1)
            {
                continue;  // the caller took the upper half (or a newer job is already posted)
            }

            try
            {
                _job!.Run(_split, _count);
            }
            finally
            {
                Volatile.Write(ref _done, seen);
            }
        }
    }

    /// <summary>Spins, then sleeps, until a generation after <paramref name="seen"/> is posted; returns it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long WaitForPosted(long seen)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            long posted = Volatile.Read(ref _posted);
            if (posted != seen)
            {
                return posted;
            }

            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(8);  // not SpinWait.SpinOnce: its yields let a busy machine take the core for milliseconds
                continue;
            }

            lock (_gate)
            {
                Volatile.Write(ref _sleeping, 1);
                Interlocked.MemoryBarrier();
                while (Volatile.Read(ref _posted) == seen)
                {
                    Monitor.Wait(_gate);
                }

                Volatile.Write(ref _sleeping, 0);
            }

            start = Stopwatch.GetTimestamp();
        }
    }
}
