"""Why the bit-identical RNN at H = 256 misses its goal in ``make bench``: how C# ``Forward`` starts.

    dotnet/pyhost python/benchmarks/idle_start.py

I = O = 64, H = 256, T = 1000; min / median of 15 calls (ms) of C# ``Forward`` (in .NET) on two cores and
on one (``PackedProduct.UseSecondCore``, set through reflection), called back to back, after a 0.12 s
pause (as ``make bench``'s paired protocol does, ``SETTLE_S``), and right after a NumPy ``forward``; then
NumPy's own, and how many jobs ``SecondCore`` still runs serially after one ``Forward`` that followed a
pause (its back-off: docs/benchmarks.md, "Two runs of `make bench`"). A diagnostic, not a goal.
"""
from __future__ import annotations

import statistics
import time

from System.Reflection import BindingFlags

from rnnport.dotnet import DotNetRNN, to_net
from rnnport.verify.cases import make_case

FLAGS = BindingFlags.Static | BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public


def main() -> None:
    case = make_case(64, 256, 64, 1000, seed=256)
    net, xs, numpy_model = DotNetRNN(*case.weights())._net, to_net(case.xs), case.numpy_model()
    assembly = net.GetType().Assembly
    use_second_core = assembly.GetType("RnnPort.PackedProduct").GetProperty("UseSecondCore", FLAGS)
    second_core = assembly.GetType("RnnPort.SecondCore")
    shared = second_core.GetField("Shared", FLAGS).GetValue(None)

    def csharp() -> None:
        net.Reset()
        net.Forward(xs)

    def numpy() -> None:
        numpy_model.reset()
        numpy_model.forward(case.xs)

    def timed(fn, pause: float = 0.0, before=None) -> str:
        times = []
        for _ in range(15):
            if before is not None:
                before()
            if pause:
                time.sleep(pause)
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return f"{min(times) * 1e3:.2f}/{statistics.median(times) * 1e3:.2f}"

    for two in (True, False):
        use_second_core.SetValue(None, two)
        print(f"C# Forward, {'two cores' if two else 'one core '}: back to back {timed(csharp)}, "
              f"after 0.12 s {timed(csharp, 0.12)}, right after NumPy {timed(csharp, before=numpy)}")
    use_second_core.SetValue(None, True)
    print(f"NumPy forward: back to back {timed(numpy)}, after 0.12 s {timed(numpy, 0.12)}, right after C# {timed(numpy, before=csharp)}")
    reset, serial = second_core.GetMethod("ResetBackOff", FLAGS), second_core.GetField("_serialJobs", FLAGS)
    for _ in range(3):
        reset.Invoke(shared, None)
        time.sleep(0.12)
        csharp()
        print("jobs still serial after one Forward that followed a 0.12 s pause:", serial.GetValue(shared))


if __name__ == "__main__":
    main()
