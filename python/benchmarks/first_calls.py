"""The first calls of C# ``Forward`` in a fresh Python-hosted process, before the runtime has tiered anything up.

    dotnet/pyhost python/benchmarks/first_calls.py
    DOTNET_TieredCompilation=0 dotnet/pyhost python/benchmarks/first_calls.py   # every method fully optimised at once

I = O = 64, T = 1000, the bit-identical kernel (``StepTiming.Forward``, in .NET, back to back); per H, the
median of calls 2–10 and of calls 11–40 (ms). Methods not marked ``AggressiveOptimization`` start as Tier-0
code, and in the Python host the runtime keeps postponing their tier-up while pythonnet compiles new code,
so a hot method left unmarked shows here as a gap between the two commands. A diagnostic, not a goal
(docs/benchmarks.md, "Reading it").
"""
from __future__ import annotations

import statistics
import time

from rnnport.dotnet import DotNetRNN, load, to_net
from rnnport.verify.cases import make_case


def main() -> None:
    timing = load().StepTiming
    for H in (64, 256):
        case = make_case(64, H, 64, 1000, seed=H)
        net, xs = DotNetRNN(*case.weights())._net, to_net(case.xs)
        times = []
        for _ in range(40):
            start = time.perf_counter()
            timing.Forward(net, xs)
            times.append(time.perf_counter() - start)
        print(f"H = {H}: calls 2–10 median {statistics.median(times[1:10]) * 1e3:.2f} ms, "
              f"calls 11–40 median {statistics.median(times[10:]) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
