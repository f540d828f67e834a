"""The NumPy model against the golden vectors, without .NET: exact mode to the bit, fast mode within bound.

The vectors (parity_tests/vectors/) were produced by the NumPy exact model *and* the C# model, and
written only where the two agreed bit for bit; see the README there.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnport.verify import golden_vectors as golden
from rnnport.verify.ulp import bit_identical

VECTORS = Path(__file__).resolve().parents[3] / "parity_tests" / "vectors"
CASES = [(behaviour, case) for behaviour in golden.BEHAVIOURS
         for case in golden.read(VECTORS / f"{behaviour}.json")["cases"]]
IDS = [f"{behaviour}-{case['name']}" for behaviour, case in CASES]


def test_every_behaviour_has_a_file():
    """One file per behaviour, each with a tanh and a relu case."""
    assert sorted(p.stem for p in VECTORS.glob("*.json")) == sorted(golden.BEHAVIOURS)
    assert len(CASES) == 2 * len(golden.BEHAVIOURS)


@pytest.mark.parametrize("behaviour, case", CASES, ids=IDS)
def test_exact_mode_reproduces_every_bit(behaviour, case):
    """Every expected value, recomputed by the NumPy exact model, has the stored 64-bit pattern."""
    got = golden.RUNNERS[behaviour](golden.numpy_side("exact"), case["inputs"])
    assert got.keys() == case["expected"].keys()
    for name, want in case["expected"].items():
        assert bit_identical(np.asarray(got[name], dtype=float), np.asarray(want, dtype=float)), name


@pytest.mark.parametrize("behaviour, case", CASES, ids=IDS)
def test_fast_mode_is_within_bound(behaviour, case):
    """Fast (BLAS) mode agrees normwise to 64·n·T·u, n = 12, T ≤ 48; sampled picks are identical."""
    got = golden.RUNNERS[behaviour](golden.numpy_side("fast"), case["inputs"])
    for name, want in case["expected"].items():
        want = np.asarray(want, dtype=float)
        bound = 64 * 12 * 48 * 2.0**-53 * float(np.abs(want).max(initial=1.0))
        np.testing.assert_allclose(np.asarray(got[name], dtype=float), want, rtol=0, atol=bound, err_msg=name)
