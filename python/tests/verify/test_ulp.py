"""ULP distances and the comparison machinery, on NumPy alone."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cells.rnn import RNN
from rnnport.verify.cases import make_case
from rnnport.verify.compare import compare
from rnnport.verify.ulp import bit_identical, ulp_distance


@pytest.mark.parametrize("a, b, expected", [
    (1.0, 1.0, 0),
    (1.0, np.nextafter(1.0, 2.0), 1),
    (1.0, np.nextafter(np.nextafter(1.0, 0.0), 0.0), 2),
    (0.0, -0.0, 0),
    (5e-324, -5e-324, 2),          # smallest subnormals straddle both zeros
    (-1.0, np.nextafter(-1.0, -2.0), 1),
    (np.finfo(float).max, -np.finfo(float).max, 2 * 0x7FEFFFFFFFFFFFFF),  # no int64 overflow
    (np.inf, np.finfo(float).max, 1),
])
def test_ulp_distance_counts_doubles_between(a, b, expected):
    """Neighbours are 1 apart, ±0 are 0 apart, and opposite signs do not overflow."""
    assert int(ulp_distance(a, b)) == expected
    assert int(ulp_distance(b, a)) == expected


def test_nan_is_far_from_everything_but_its_own_bits():
    """NaN against a number is the maximal distance; identical NaN bits are distance 0."""
    assert int(ulp_distance(np.nan, 1.0)) == 2**64 - 1
    assert int(ulp_distance(np.nan, np.nan)) == 0


def test_bit_identical_tells_negative_zero_apart():
    """bit_identical compares raw patterns: -0.0 is not +0.0."""
    assert bit_identical([1.0, 0.0], [1.0, 0.0])
    assert not bit_identical([0.0], [-0.0])
    assert not bit_identical([1.0], [[1.0]])


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_compare_accepts_the_same_model_and_rejects_a_perturbed_one(mode):
    """NumPy against itself is within bound; a weight moved by a relative 1e-9 is caught."""
    case = make_case(4, 8, 3, T=30, seed=5)
    W_xh = case.W_xh.copy()
    i, j = np.unravel_index(np.abs(W_xh).argmax(), W_xh.shape)
    W_xh[i, j] *= 1 + 1e-9
    state, output = compare(case.numpy_model(), case.numpy_model(), case.xs, mode)
    assert state.ok and output.ok
    if mode == "free-running":  # the same code on the same data: deterministic (teacher-forced mixes
        assert state.max_ulp.max() == 0  # forward's gemm with step's gemv, which may round differently)
    state, output = compare(case.numpy_model(), RNN(W_xh, case.W_hh, case.W_hy), case.xs, mode)
    assert not state.ok and state.violation.element == i
