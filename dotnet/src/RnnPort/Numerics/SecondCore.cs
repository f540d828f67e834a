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
/// of a recurrence follows within microseconds), then blocks on a monitor. One job at a time: a second
/// caller that finds the helper busy runs serially. A helper that still makes the caller wait (more than a
/// quarter of the caller's own time, <see cref="LatenessLimit"/> times net) is being preempted inside its
/// chunks by other processes; the caller then runs <see cref="BackOffJobs"/> jobs serially before it tries again.
/// </remarks>
internal sealed class SecondCore
{
    /// <summary>The shared helper, or null on a one-processor machine.</summary>
    internal static readonly SecondCore? Shared = Environment.ProcessorCount > 1 ? new SecondCore() : null;

    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;  // 200 µs

    /// <summary>How long the caller spins for an unfinished chunk before it yields its core (20 µs).</summary>
    private static readonly long WaitSpinTicks = Stopwatch.Frequency / 50000;

    private readonly object _gate = new();
    private IColumnJob? _job;
    private int _count, _width;
    private int _busy;        // 1 while a caller owns the helper
    private long _ticket;     // generation (32 bits) | next front chunk (16) | end of the back chunks (16)
    private int _finished;    // chunks of the current generation finished by the helper
    private int _sleeping;
    private int _lateness;    // late jobs minus punctual ones, floored at 0 (owned by the caller holding _busy)
    private int _serialJobs;  // jobs still to run serially after a back-off (owned likewise)

    /// <summary>Net late jobs after which the caller backs off.</summary>
    internal const int LatenessLimit = 8;

    /// <summary>Jobs run serially after a back-off (about two 1000-step sequences), before the helper is tried again.</summary>
    internal const int BackOffJobs = 2048;

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

        _job = job;
        _count = count;
        _width = width;
        _finished = 0;
        long generation = (_ticket >> 32) + 1;
        Interlocked.Exchange(ref _ticket, (generation << 32) | (uint)chunks);  // a full fence: the fields above are visible first
        if (Volatile.Read(ref _sleeping) != 0)
        {
            lock (_gate)
            {
                Monitor.Pulse(_gate);
            }
        }

        long started = Stopwatch.GetTimestamp();
        int mine = 0;
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int front = (int)((ticket >> 16) & 0xFFFF), end = (int)(ticket & 0xFFFF);
            if (front >= end)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref _ticket, ticket + (1L << 16), ticket) == ticket)
            {
                int chunk = Chunk(front, chunks, generation);
                job.Run(chunk * width, Math.Min(count, (chunk + 1) * width));
                mine++;
            }
        }

        long finished = Stopwatch.GetTimestamp();
        WaitForHelper(chunks - mine);
        bool late = Stopwatch.GetTimestamp() - finished > (finished - started) / 4;
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

    /// <summary>Forgets any back-off, so that the next job is shared again (tests of the hand-over itself).</summary>
    internal void ResetBackOff()
    {
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Thread.Yield();
        }

        _lateness = 0;
        _serialJobs = 0;
        Volatile.Write(ref _busy, 0);
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

    /// <summary>Waits until the helper has finished its <paramref name="claimed"/> chunks: spins briefly, then yields.</summary>
    private void WaitForHelper(int claimed)
    {
        long start = 0;
        while (Volatile.Read(ref _finished) != claimed)
        {
            if (start == 0)
            {
                start = Stopwatch.GetTimestamp();
            }

            if (Stopwatch.GetTimestamp() - start < WaitSpinTicks)
            {
                Thread.SpinWait(8);  // pause instructions: the helper is inside its last chunk
            }
            else
            {
                Thread.Yield();  // the helper was preempted: let it have this core if it is waiting for one
            }
        }
    }

    private void Loop()
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForPosted(seen);
            while (true)
            {
                long ticket = Volatile.Read(ref _ticket);
                int front = (int)((ticket >> 16) & 0xFFFF), end = (int)(ticket & 0xFFFF);
                if (ticket >> 32 != seen || front >= end)
                {
                    break;  // all claimed (or already a newer job, which the outer loop picks up)
                }

                if (Interlocked.CompareExchange(ref _ticket, ticket - 1, ticket) != ticket)
                {
                    continue;
                }

                // A valid claim of generation `seen`: its fields stay as posted until this chunk is counted.
                int width = _width, count = _count, chunk = Chunk(end - 1, (count + width - 1) / width, seen);
                try
                {
                    _job!.Run(chunk * width, Math.Min(count, (chunk + 1) * width));
                }
                finally
                {
                    Interlocked.Increment(ref _finished);
                }
            }
        }
    }

    /// <summary>Spins, then sleeps, until a generation other than <paramref name="seen"/> is posted; returns it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long WaitForPosted(long seen)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            long posted = Volatile.Read(ref _ticket) >> 32;
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
                while (Volatile.Read(ref _ticket) >> 32 == seen)
                {
                    Monitor.Wait(_gate);
                }

                Volatile.Write(ref _sleeping, 0);
            }

            start = Stopwatch.GetTimestamp();
        }
    }
}
