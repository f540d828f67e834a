using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
/// One persistent helper thread, created once per process, that shares an <see cref="IColumnJob"/> with the
/// calling thread chunk by chunk. Nothing is allocated per job: the job is an object the caller keeps, the
/// hand-over is one 64-bit ticket and one counter. Every column is computed by exactly one thread with the
/// same code, so the results do not depend on who ran what (the exact kernels stay bit-identical).
/// </summary>
/// <remarks>
/// The columns are cut into chunks; the caller claims them from the front, the helper from the back, each
/// with a compare-and-swap on the ticket (generation, next front chunk, end of the back), until they meet.
/// Claiming from opposite ends keeps each core on the same columns from step to step (their weights stay in
/// its own L2 cache); claiming a chunk at a time means a helper that is descheduled or sharing its core
/// costs the caller at most the chunk it is inside: the caller simply claims the rest, and a helper that
/// arrives late finds none left. Between jobs the helper spins for <see cref="SpinTicks"/> (the next step
/// of a recurrence follows within microseconds), then blocks on a monitor; a caller that posts a job to a
/// sleeping helper wakes it and claims chunks meanwhile, so waking (tens of microseconds, milliseconds
/// when the kernel queues the helper on the caller's own core) costs the caller nothing. One job at a time:
/// a second caller that finds the helper busy runs serially. When waiting for the helper costs more than the
/// caller's own work over <see cref="WindowJobs"/> jobs (the break-even: alone, it would do the helper's share
/// too), other processes are preempting it inside its chunks; the caller then runs <see cref="BackOffJobs"/> jobs
/// serially before it tries again (twice as many after each back-off that follows directly). Before waking
/// the helper, the caller takes its own core out of the helper's affinity (<see cref="CorePlacement"/>): the
/// kernel would otherwise often queue the woken helper behind the caller on one core while the other idles.
/// The ticket and the helper's counter sit on cache lines of their own, away from fields either side writes.
/// </remarks>
internal sealed class SecondCore
{
    /// <summary>The shared helper, or null on a one-processor machine.</summary>
    internal static readonly SecondCore? Shared = Environment.ProcessorCount > 1 ? new SecondCore() : null;

    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;  // 200 µs

    /// <summary>How long the caller spins for an unfinished chunk before it yields its core (20 µs).</summary>
    private static readonly long WaitSpinTicks = Stopwatch.Frequency / 50000;

    private readonly object _gate = new();
    private Posted _posted;   // the ticket and the job it posts, on a cache line of their own
    private Finished _finished;  // chunks finished by the helper since it started, on another
    private int _finishedBefore;  // _finished.Count when the current job was posted (owned by the caller holding _busy)
    private int _busy;        // 1 while a caller owns the helper
    private int _sleeping;
    private int _awake;       // 1 while the helper spins for jobs or runs one (a job posted then needs no wake)
    private int _wakeRequested;
    private int _helperThreadId;  // the helper's kernel thread id (0: unknown), and the core it is kept off (−1: none)
    private int _keptOff = -1;
    private byte[] _allowedCores = [];
    private int _windowJobs;  // jobs of the current window, and the caller's own and waiting time in it (owned by the caller holding _busy)
    private long _workedTicks, _waitedTicks;
    private int _serialJobs;  // jobs still to run serially after a back-off (owned likewise)
    private int _backOff = BackOffJobs;  // the next back-off's length: doubled by each one that follows a costly window, reset by a good window

    /// <summary>Jobs over which the caller weighs its waiting for the helper against its own work.</summary>
    internal const int WindowJobs = 64;

    /// <summary>
    /// Jobs run serially after a first back-off (a tenth of a 1000-step sequence), before the helper is tried
    /// again; each back-off that follows directly doubles it, up to <see cref="MaxBackOffJobs"/>. A pause the
    /// helper had once (a collection, a host's hiccup) costs little; a core taken by another process is left alone.
    /// </summary>
    internal const int BackOffJobs = 128;

    /// <summary>The longest back-off: about eight 1000-step sequences.</summary>
    internal const int MaxBackOffJobs = 8192;

    /// <summary>Whether waking the helper first keeps it off the caller's core; off only to measure what that brings (python/benchmarks/idle_start.py).</summary>
    internal static bool PlaceHelper { get; set; } = true;

    /// <summary>Whether the helper is awake (spinning for jobs or running one).</summary>
    internal bool IsAwake => Volatile.Read(ref _awake) != 0;

    /// <summary>Chunks the helper has finished since it started (tests: did it take part?).</summary>
    internal int HelperChunks => Volatile.Read(ref _finished.Count);

    /// <summary>The helper's kernel thread id, 0 until it has started (or where there is none).</summary>
    internal int HelperThreadId => Volatile.Read(ref _helperThreadId);

    /// <summary>Most chunks one job may be cut into (16 bits of the ticket each for the front and the back).</summary>
    internal const int MaxChunks = 1 << 15;

    private SecondCore()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "RnnPort second core" };
        thread.Start();
    }

    /// <summary>
    /// Runs <c>job.Run</c> over columns [0, count) in chunks of <paramref name="width"/> columns (the last one
    /// shorter), shared between this thread and the helper, and returns when every chunk is done. Returns false
    /// without running anything when the helper is busy with another caller's job or backing off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryRun(IColumnJob job, int count, int width)
    {
        int chunks = (count + width - 1) / width;
        if (chunks > MaxChunks || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        if (_serialJobs > 0)
        {
            _serialJobs--;  // backing off: the helper kept the caller waiting (a busy machine)
            Volatile.Write(ref _busy, 0);
            return false;
        }

        _posted.Job = job;
        _posted.Count = count;
        _posted.Width = width;
        long generation = (_posted.Ticket >> 32) + 1;
        Interlocked.Exchange(ref _posted.Ticket, (generation << 32) | (uint)chunks);  // a full fence: the fields above are visible first
        if (Volatile.Read(ref _awake) == 0)
        {
            Wake();  // the caller starts on the chunks at once; the helper takes the rest when it arrives
        }

        long started = Stopwatch.GetTimestamp();
        int mine = 0;
        while (true)
        {
            long ticket = Volatile.Read(ref _posted.Ticket);
            int front = (int)((ticket >> 16) & 0xFFFF), end = (int)(ticket & 0xFFFF);
            if (front >= end)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref _posted.Ticket, ticket + (1L << 16), ticket) == ticket)
            {
                int chunk = Chunk(front, chunks, generation);
                job.Run(chunk * width, Math.Min(count, (chunk + 1) * width));
                mine++;
            }
        }

        long finished = Stopwatch.GetTimestamp();
        _finishedBefore += chunks - mine;
        WaitForHelper(_finishedBefore);
        _workedTicks += finished - started;
        _waitedTicks += Stopwatch.GetTimestamp() - finished;
        if (++_windowJobs == WindowJobs)
        {
            if (_waitedTicks > _workedTicks)
            {
                _serialJobs = _backOff;  // waiting cost more than the helper's half saved (about the caller's own work): a busy machine
                _backOff = Math.Min(2 * _backOff, MaxBackOffJobs);
            }
            else
            {
                _backOff = BackOffJobs;
            }

            _windowJobs = 0;
            _workedTicks = _waitedTicks = 0;
        }

        Volatile.Write(ref _busy, 0);  // the job stays posted (not cleared: one write fewer to the helper's line); no valid claim can reach it
        return true;
    }

    /// <summary>Forgets any back-off, so that the next job is shared again (tests of the hand-over itself).</summary>
    internal void ResetBackOff()
    {
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Thread.Yield();
        }

        _windowJobs = 0;
        _workedTicks = _waitedTicks = 0;
        _serialJobs = 0;
        _backOff = BackOffJobs;
        Volatile.Write(ref _busy, 0);
    }

    /// <summary>
    /// Asks a sleeping helper to wake and spin (pulsing it once per sleep, however often it is asked), first
    /// taking the caller's core out of its affinity when the caller has moved to the core it was kept off.
    /// </summary>
    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0 && Volatile.Read(ref _sleeping) != 0)
        {
            int core = CorePlacement.CurrentCore();
            if (PlaceHelper && core != _keptOff && CorePlacement.KeepOff(Volatile.Read(ref _helperThreadId), core, _allowedCores))
            {
                _keptOff = core;  // woken on the caller's core, the helper would spin there while the other idles
            }

            lock (_gate)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>
    /// The chunk at claim position <paramref name="position"/>: on even generations position order (the caller from 0
    /// up to the middle, the helper from the end down to it), on odd ones each half reversed (the caller from the
    /// middle down to 0, the helper from the middle up to the end). So each core walks its half back and forth,
    /// and the chunks it read last, still in its L2 cache, are the ones it reads first in the next step: when the
    /// weights exceed the cache (H = 1024: 8 MB) that saves about an L2's worth of L3 reads per core and step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Chunk(int position, int chunks, long generation)
    {
        if ((generation & 1) == 0)
        {
            return position;
        }

        int half = chunks / 2;
        return position < half ? half - 1 - position : chunks + half - 1 - position;
    }

    /// <summary>Waits until the helper has finished <paramref name="total"/> chunks since it started: spins briefly, then yields.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WaitForHelper(int total)
    {
        long start = 0;
        while (Volatile.Read(ref _finished.Count) != total)
        {
            if (start == 0)
            {
                start = Stopwatch.GetTimestamp();
            }

            if (Stopwatch.GetTimestamp() - start < WaitSpinTicks)
            {
                Thread.SpinWait(1);  // pause instructions: the helper is inside its last chunk
            }
            else
            {
                Thread.Yield();  // the helper was preempted: let it have this core if it is waiting for one
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop()
    {
        long seen = 0;
        _allowedCores = CorePlacement.AllowedCores();
        Volatile.Write(ref _helperThreadId, CorePlacement.CurrentThreadId());
        Volatile.Write(ref _awake, 1);
        while (true)
        {
            seen = WaitForPosted(seen);
            while (true)
            {
                long ticket = Volatile.Read(ref _posted.Ticket);
                int front = (int)((ticket >> 16) & 0xFFFF), end = (int)(ticket & 0xFFFF);
                if (ticket >> 32 != seen || front >= end)
                {
                    break;  // all claimed (or already a newer job, which the outer loop picks up)
                }

                if (Interlocked.CompareExchange(ref _posted.Ticket, ticket - 1, ticket) != ticket)
                {
                    continue;
                }

                // A valid claim of generation `seen`: its fields stay as posted until this chunk is counted.
                int width = _posted.Width, count = _posted.Count, chunk = Chunk(end - 1, (count + width - 1) / width, seen);
                try
                {
                    _posted.Job!.Run(chunk * width, Math.Min(count, (chunk + 1) * width));
                }
                finally
                {
                    Interlocked.Increment(ref _finished.Count);
                }
            }
        }
    }

    /// <summary>Spins, then sleeps, until a generation other than <paramref name="seen"/> is posted; returns it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private long WaitForPosted(long seen)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            long posted = Volatile.Read(ref _posted.Ticket) >> 32;
            if (posted != seen)
            {
                return posted;
            }

            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(1);  // not SpinWait.SpinOnce: its yields let a busy machine take the core for milliseconds; one unit, as a posted job is seen within ~0.1 µs
                continue;
            }

            Volatile.Write(ref _awake, 0);
            lock (_gate)
            {
                Volatile.Write(ref _sleeping, 1);
                Interlocked.MemoryBarrier();  // pairs with the callers' full fences: a job posted or a wake asked for is seen here
                while (Volatile.Read(ref _posted.Ticket) >> 32 == seen && Volatile.Read(ref _wakeRequested) == 0)
                {
                    Monitor.Wait(_gate);
                }

                Volatile.Write(ref _sleeping, 0);
            }

            Volatile.Write(ref _wakeRequested, 0);
            Volatile.Write(ref _awake, 1);
            start = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// The ticket (generation (32 bits) | next front chunk (16) | end of the back chunks (16)) and the job it
    /// posts, alone on their cache line: the caller writes them together and the helper reads them together,
    /// and no other field's write takes the line from a core that is about to claim.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Posted
    {
        [FieldOffset(64)]
        public long Ticket;

        [FieldOffset(72)]
        public IColumnJob? Job;

        [FieldOffset(80)]
        public int Count;

        [FieldOffset(84)]
        public int Width;
    }

    /// <summary>The helper's running count of finished chunks, alone on its cache line (the helper writes it, the caller waits on it).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Finished
    {
        [FieldOffset(64)]
        public int Count;
    }
}
