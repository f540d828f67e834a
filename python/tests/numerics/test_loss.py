"""Softmax and cross-entropy: stability, hand-worked values, bad targets."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnport.numerics.loss import cross_entropy, softmax


def test_softmax_is_stable_for_large_scores():
    """Scores of ±1000 give finite probabilities that sum to 1."""
    p = softmax(np.array([1000.0, 999.0, -1000.0]))
    assert np.all(np.isfinite(p)) and abs(p.sum() - 1.0) < 1e-15
    np.testing.assert_allclose(p[:2], [1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))], rtol=1e-15)


def test_softmax_temperature_sharpens():
    """Temperature 0.5 equals the softmax of doubled scores."""
    y = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(softmax(y, 0.5), softmax(2 * y), rtol=1e-15)


def test_cross_entropy_hand_worked():
    """Two steps: −log softmax([0, ln 3])[1] − log softmax([0, 0])[0] = ln(4/3) + ln 2."""
    ys = np.array([[0.0, math.log(3.0)], [0.0, 0.0]])
    assert cross_entropy(ys, [1, 0]) == pytest.approx(math.log(4 / 3) + math.log(2), rel=1e-15)


def test_cross_entropy_does_not_overflow():
    """A confident wrong answer at scale 1e4 costs 1e4, not inf."""
    assert cross_entropy(np.array([[1e4, 0.0]]), [1]) == pytest.approx(1e4)


@pytest.mark.parametrize("targets, error, message", [
    ([0, 2], ValueError, r"targets\[1\] = 2 is outside the vocabulary \[0, 2\)"),
    ([0, -1], ValueError, r"targets\[1\] = -1 is outside"),
    ([0], ValueError, r"targets has shape \(1,\), expected \(2,\)"),
    ([0.0, 1.0], TypeError, "targets must be integers"),
])
def test_cross_entropy_rejects_bad_targets(targets, error, message):
    """Out-of-range, mismatched-length and non-integer targets are refused."""
    with pytest.raises(error, match=message):
        cross_entropy(np.zeros((2, 2)), targets)


def test_cross_entropy_rejects_empty_sequence():
    """T = 0 has no loss."""
    with pytest.raises(ValueError, match="at least one step, got T=0"):
        cross_entropy(np.zeros((0, 2)), np.zeros(0, dtype=int))
