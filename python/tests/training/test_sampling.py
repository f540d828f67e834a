"""Sampling with injected uniforms: inverse-CDF picks, determinism, no state change."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.training.sampling import pick, sample
from rnnport.verify.cases import make_case


@pytest.mark.parametrize("u, expected", [(0.0, 0), (0.1999, 0), (0.2, 1), (0.5, 1), (0.7, 3), (0.99, 3)])
def test_pick_is_the_inverse_cdf(u, expected):
    """cdf = [0.2, 0.7, 0.7, 1.0]: u < 0.2 → 0, u < 0.7 → 1, index 2 (p = 0) is never picked."""
    assert pick(np.array([0.2, 0.5, 0.0, 0.3]), u) == expected


def test_pick_falls_back_to_last_possible_index():
    """When rounding leaves the cdf below u, the last index with p > 0 is chosen."""
    assert pick(np.array([0.3, 0.3, 0.3, 0.0]), 0.95) == 2


def test_sample_is_determined_by_the_uniforms():
    """Same uniforms, same picks; the model's state is left as it was."""
    model = make_case(6, 8, 6, 0, seed=9, nonzero_h0=True).numpy_model()
    uniforms = np.random.default_rng(0).random(50)
    before = model.h.copy()
    first = sample(model, 2, uniforms, temperature=0.8)
    assert first == sample(model, 2, uniforms, temperature=0.8)
    assert len(first) == 50 and all(0 <= i < 6 for i in first)
    np.testing.assert_array_equal(model.h, before)
    assert first != sample(model, 2, uniforms[::-1].copy(), temperature=0.8)


@pytest.mark.parametrize("kwargs, message", [
    ({"seed_index": 6}, "seed index 6 is outside"),
    ({"uniforms": [0.5, 1.0]}, r"uniforms must lie in \[0, 1\)"),
    ({"uniforms": [[0.5]]}, r"uniforms has shape \(1, 1\), expected \(N,\)"),
    ({"temperature": 0.0}, "temperature must be finite and > 0"),
])
def test_sample_rejects_bad_arguments(kwargs, message):
    """Out-of-range seeds and uniforms, and non-positive temperatures, raise ValueError."""
    model = make_case(6, 8, 6, 0, seed=9).numpy_model()
    args = {"seed_index": 0, "uniforms": [0.5], "temperature": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        sample(model, **args)
