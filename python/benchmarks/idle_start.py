"""How C# ``Forward`` starts when its second core has been idle: the bit-identical RNN at H = 256.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE dotnet/pyhost python/benchmarks/idle_start.py

I = O = 64, H = 256, T = 1000; min / median of 15 calls (ms) of C# ``Forward`` (in .NET, ``StepTiming.Forward``)
called back to back and after a 0.12 s pause (as ``make bench``'s paired protocol does, ``SETTLE_S``: the
helper has gone to sleep), on two cores with and without ``SecondCore.PlaceHelper`` (the woken helper kept off
the caller's core) and on one core (``PackedProduct.UseSecondCore``), both set through reflection; then NumPy's
``forward``. Also, per condition, the median number of chunks the helper finished per call (of the 1000
steps' 4000 and the block projections' 504: about half when it takes part throughout), and how many of the
15 calls had a gen2 collection of .NET's heap run in them (each ``Forward`` allocates its 2.5 MB of results on
the large-object heap) with the median of those calls and of the others. A diagnostic, not a goal (docs/benchmarks.md, "The woken helper").
"""
from __future__ import annotations

import statistics
import time

from System import GC, Boolean
from System.Reflection import BindingFlags

from rnnport.dotnet import DotNetRNN, load, to_net
from rnnport.verify.cases import make_case

FLAGS = BindingFlags.Static | BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public

def main() -> None:
    case = make_case(64, 256, 64, 1000, seed=256)
    net, xs, numpy_model = DotNetRNN(*case.weights())._net, to_net(case.xs), case.numpy_model()
    timing, assembly = load().StepTiming, net.GetType().Assembly
    use_second_core = assembly.GetType("RnnPort.PackedProduct").GetProperty("UseSecondCore", FLAGS)
    second_core = assembly.GetType("RnnPort.SecondCore")
    place_helper = second_core.GetProperty("PlaceHelper", FLAGS)
    shared = second_core.GetField("Shared", FLAGS).GetValue(None)
    helper_chunks = second_core.GetProperty("HelperChunks", FLAGS)

    def chunks() -> int:
        return int(str(helper_chunks.GetValue(shared)))

    def timed(fn, pause: float) -> str:
        times, shares, collected = [], [], []
        for _ in range(15):
            if pause:
                time.sleep(pause)
            before, collections, start = chunks(), GC.CollectionCount(2), time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
            shares.append(chunks() - before)
            collected.append(GC.CollectionCount(2) > collections)
        with_gc = [t for t, c in zip(times, collected) if c]
        without = [t for t, c in zip(times, collected) if not c]
        split = (f"; {len(with_gc)} calls with a gen2 collection, median {statistics.median(with_gc) * 1e3:.2f}, "
                 f"the others {statistics.median(without) * 1e3:.2f}" if with_gc and without else "")
        return f"{min(times) * 1e3:.2f}/{statistics.median(times) * 1e3:.2f} (helper: {statistics.median(shares):.0f} chunks{split})"

    def csharp() -> None:
        timing.Forward(net, xs)

    for label, two, place in (("two cores, helper kept off the caller's core", True, True),
                              ("two cores, helper placed by the kernel       ", True, False),
                              ("one core                                     ", False, True)):
        use_second_core.SetValue(None, Boolean(two))
        place_helper.SetValue(None, Boolean(place))
        print(f"C# Forward, {label}: back to back {timed(csharp, 0.0)}, after 0.12 s {timed(csharp, 0.12)}", flush=True)
    use_second_core.SetValue(None, Boolean(True))
    place_helper.SetValue(None, Boolean(True))

    def numpy() -> None:
        numpy_model.reset()
        numpy_model.forward(case.xs)

    print(f"NumPy forward: back to back {timed(numpy, 0.0).split(' (')[0]}, after 0.12 s {timed(numpy, 0.12).split(' (')[0]}")


if __name__ == "__main__":
    main()
