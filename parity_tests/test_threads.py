"""Two threads, each with its own model, get what each would get alone (NumPy and C# through the bridge).

One model instance is not thread-safe (its state changes on every step), on either side; separate
instances share nothing mutable, so they may run on separate threads.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest

from rnnport import RNN, bptt, dotnet
from rnnport.verify.cases import make_case


def workload(side: str, seed: int) -> list[np.ndarray]:
    """Forward passes and BPTT chunks on one model; returns everything it computed."""
    case = make_case(6, 24, 6, 50, seed=seed)
    model = RNN(*case.weights()) if side == "numpy" else dotnet.DotNetRNN(*case.weights())
    run_bptt = bptt.bptt if side == "numpy" else dotnet.bptt
    targets = np.arange(50) % 6
    out = []
    for _ in range(20):
        ys, hs = model.forward(case.xs)
        result = run_bptt(model, case.xs, targets)
        out += [ys, hs, result.gradients.W_hh, np.array([result.loss])]
    return out


@pytest.mark.parametrize("side", ["numpy", "csharp"])
def test_two_threads_match_running_alone(side):
    """Results computed concurrently are bit-identical to the same work done alone."""
    alone = {seed: workload(side, seed) for seed in (1, 2)}
    together: dict[int, list[np.ndarray]] = {}
    threads = [threading.Thread(target=lambda s=seed: together.__setitem__(s, workload(side, s))) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in (1, 2):
        assert len(together[seed]) == len(alone[seed])
        assert all(np.array_equal(a, b) for a, b in zip(alone[seed], together[seed]))
