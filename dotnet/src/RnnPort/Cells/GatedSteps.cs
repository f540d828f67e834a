using System.Runtime.CompilerServices;

namespace RnnPort;

/// <summary>
/// The recurrent half of an LSTM or GRU step, after the input projection: <c>h·W_rec (+ b_hh)</c> and the
/// element-wise gate arithmetic, by hidden units, in chunks shared by the calling thread and
/// <see cref="SecondCore"/> when the product is large enough (<see cref="PackedProduct.Splits"/>); unit j
/// needs the G recurrent columns j, H + j, … and writes only its own gate values, c'_j and h'_j, so one
/// hand-over per step suffices and no value depends on the split. Every sum is
/// <see cref="SequentialKernels.Range{TMode}"/>'s (k ascending from +0.0, separate multiply and add) and every
/// element-wise operation the cell's own (<see cref="LSTM.Gates(Span{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, int, int)"/>, <see cref="GRU.Gates(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double}, int, int)"/>), so the exact mode
/// keeps its bits (docs/exact-mode.md, "The C# fast path").
/// </summary>
internal static unsafe class GatedSteps
{
    [ThreadStatic]
    private static LstmJob? t_lstm;

    [ThreadStatic]
    private static GruJob? t_gru;

    /// <summary>
    /// The LSTM's step after the input projection: <c>a_k = gi_k + (h·W_rec (+ b_hh))_k</c>, i, f, o = σ and g = tanh
    /// in place in <paramref name="a"/>, <c>c' = (f·c) + (i·g)</c>, <c>h' = o·tanh(c')</c>.
    /// </summary>
    /// <param name="weights">The layer (its recurrent weights packed per gate block, <see cref="LayerWeights.Pack"/>).</param>
    /// <param name="a">4H: the input projection gi (bias included) on entry, the gates [i | f | g | o] on return.</param>
    /// <param name="h">H values; must not overlap <paramref name="hNext"/>.</param>
    /// <param name="c">H values (may be <paramref name="cNext"/>).</param>
    /// <param name="recurrent">4H scratch: receives <c>h·W_rec (+ b_hh)</c>.</param>
    /// <param name="hNext">Receives h'.</param>
    /// <param name="cNext">Receives c'.</param>
    /// <param name="descending">Read W_rec's panels in reverse order (alternate per step: the panels read last stay in L2).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Lstm(LayerWeights weights, Span<double> a, ReadOnlySpan<double> h, ReadOnlySpan<double> c, Span<double> recurrent,
                              Span<double> hNext, Span<double> cNext, bool descending)
    {
        int hidden = h.Length;
        Check(hNext, h);
        LstmJob job = t_lstm ??= new LstmJob();
        fixed (double* ap = a, hp = h, cp = c, rp = recurrent, hn = hNext, cn = cNext, w = weights.RecurrentPacked)
        fixed (double* bias = weights.RecurrentBiasData)
        {
            job.Set(ap, hp, cp, rp, hn, cn, w, bias, hidden, descending);
            Run(job, hidden, 4);
        }
    }

    /// <summary>
    /// The GRU's step after the input projection: <c>gh = h·W_rec (+ b_hh)</c>, then per unit r, z, n and
    /// <c>h' = ((1 − z)·n) + (z·h)</c> as <see cref="GRU.Gates(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double}, Span{double}, int, int)"/> computes them.
    /// </summary>
    /// <param name="weights">The layer (its recurrent weights packed per gate block).</param>
    /// <param name="gi">3H: the input projection (bias included).</param>
    /// <param name="h">H values; must not overlap <paramref name="next"/>.</param>
    /// <param name="gh">3H scratch: receives gh (its n block is BPTT's <c>W_hn h + b_hn</c>).</param>
    /// <param name="r">H: receives the reset gate.</param>
    /// <param name="z">H: receives the update gate.</param>
    /// <param name="n">H: receives the candidate.</param>
    /// <param name="next">Receives h'.</param>
    /// <param name="descending">Read W_rec's panels in reverse order.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Gru(LayerWeights weights, ReadOnlySpan<double> gi, ReadOnlySpan<double> h, Span<double> gh,
                             Span<double> r, Span<double> z, Span<double> n, Span<double> next, bool descending)
    {
        int hidden = h.Length;
        Check(next, h);
        GruJob job = t_gru ??= new GruJob();
        fixed (double* gip = gi, hp = h, ghp = gh, rp = r, zp = z, np = n, hn = next, w = weights.RecurrentPacked)
        fixed (double* bias = weights.RecurrentBiasData)
        {
            job.Set(gip, hp, ghp, rp, zp, np, hn, w, bias, hidden, descending);
            Run(job, hidden, 3);
        }
    }

    /// <summary>Whether a layer of H units and G gates splits its steps across the two cores.</summary>
    internal static bool Splits(int hidden, int gates) =>
        PackedProduct.Splits(hidden, gates * hidden) && hidden >= 2 * SequentialKernels.MainWidth;

    private static void Run(IColumnJob job, int hidden, int gates)
    {
        // A unit is G columns of H terms: G·H weights.
        if (!Splits(hidden, gates) || !SecondCore.Shared!.TryRun(job, hidden, PackedProduct.ChunkWidth(gates * hidden, hidden)))
        {
            job.Run(0, hidden);
        }
    }

    private static void Check(ReadOnlySpan<double> next, ReadOnlySpan<double> h)
    {
        if (next.Overlaps(h))
        {
            throw new ArgumentException("the next state must not overlap the state: both cores read all of it", nameof(next));
        }
    }

    /// <summary>
    /// Columns [from, to) of one gate block's product <c>y = h·W_g</c> (W_g: H×H, packed on its own at
    /// <paramref name="w"/>), the full-width panels in ascending or descending order; <paramref name="from"/>
    /// starts a panel (a multiple of <see cref="PackedProduct.ChunkWidth"/>'s width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(double* h, double* w, double* y, int hidden, int from, int to, bool descending)
    {
        if (!descending)
        {
            SequentialKernels.Range<Separate>(ref *h, ref *w, ref *y, hidden, hidden, from, to);
            return;
        }

        int width = SequentialKernels.MainWidth, full = from + (to - from) / width * width;  // panels before `full` are `width` wide
        if (full < to)
        {
            SequentialKernels.Range<Separate>(ref *h, ref *w, ref *y, hidden, hidden, full, to);
        }

        for (int j = full - width; j >= from; j -= width)
        {
            SequentialKernels.Range<Separate>(ref *h, ref *w, ref *y, hidden, hidden, j, j + width);
        }
    }

    /// <summary><c>gh += b_hh</c> (<see cref="LayerWeights.AddBias"/>) on units [from, to) of each of the G gate blocks, when the bias is on.</summary>
    private static void AddBias(double* gh, double* bias, int hidden, int gates, int from, int to)
    {
        if (bias == null)
        {
            return;
        }

        for (int g = 0; g < gates; g++)
        {
            for (int k = (g * hidden) + from, end = (g * hidden) + to; k < end; k++)
            {
                gh[k] += bias[k];
            }
        }
    }

    /// <summary>The LSTM step over units [from, to): pointers into arrays the caller keeps pinned during the job.</summary>
    private sealed class LstmJob : IColumnJob
    {
        private double* _a, _h, _c, _recurrent, _hNext, _cNext, _w, _bias;
        private int _hidden;
        private bool _descending;

        internal void Set(double* a, double* h, double* c, double* recurrent, double* hNext, double* cNext, double* w, double* bias, int hidden, bool descending)
        {
            _a = a;
            _h = h;
            _c = c;
            _recurrent = recurrent;
            _hNext = hNext;
            _cNext = cNext;
            _w = w;
            _bias = bias;
            _hidden = hidden;
            _descending = descending;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int from, int to)
        {
            int hidden = _hidden;
            double* a = _a, recurrent = _recurrent, bias = _bias;
            long block = (long)hidden * hidden;
            for (int q = 0; q < 4; q++)
            {
                int g = _descending ? 3 - q : q;
                Block(_h, _w + (g * block), recurrent + (g * hidden), hidden, from, to, _descending);
            }

            AddBias(recurrent, bias, hidden, 4, from, to);
            LSTM.Gates(new Span<double>(a, 4 * hidden), new ReadOnlySpan<double>(recurrent, 4 * hidden), new ReadOnlySpan<double>(_c, hidden),
                       new Span<double>(_hNext, hidden), new Span<double>(_cNext, hidden), from, to);
        }
    }

    /// <summary>The GRU step over units [from, to): pointers into arrays the caller keeps pinned during the job.</summary>
    private sealed class GruJob : IColumnJob
    {
        private double* _gi, _h, _gh, _r, _z, _n, _next, _w, _bias;
        private int _hidden;
        private bool _descending;

        internal void Set(double* gi, double* h, double* gh, double* r, double* z, double* n, double* next, double* w, double* bias, int hidden, bool descending)
        {
            _gi = gi;
            _h = h;
            _gh = gh;
            _r = r;
            _z = z;
            _n = n;
            _next = next;
            _w = w;
            _bias = bias;
            _hidden = hidden;
            _descending = descending;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int from, int to)
        {
            int hidden = _hidden;
            double* gi = _gi, gh = _gh, bias = _bias, h = _h;
            long block = (long)hidden * hidden;
            for (int q = 0; q < 3; q++)
            {
                int g = _descending ? 2 - q : q;
                Block(h, _w + (g * block), gh + (g * hidden), hidden, from, to, _descending);
            }

            AddBias(gh, bias, hidden, 3, from, to);
            GRU.Gates(new ReadOnlySpan<double>(gi, 3 * hidden), new ReadOnlySpan<double>(gh, 3 * hidden), new ReadOnlySpan<double>(h, hidden),
                      new Span<double>(_r, hidden), new Span<double>(_z, hidden), new Span<double>(_n, hidden), new Span<double>(_next, hidden), from, to);
        }
    }
}
