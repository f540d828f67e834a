"""Property-based parity with Hypothesis: random shapes, lengths, activations, modes and awkward values.

Values include large magnitudes that saturate tanh (±1e3), subnormals (down to 5e-324), zeros of both
signs and ordinary values. The property: exact mode is bit-identical, fast mode is within the derived
bound. Non-finite inputs follow one rule on both sides (docs/bad-input.md): rejected with ValueError
("must be finite"), the state untouched.

`make test` runs 150 examples per property, derandomized so that CI is repeatable;
``RNNPORT_EXAMPLES=1500 dotnet/pyhost -m pytest parity_tests/test_properties.py`` explores that
many fresh random examples per property (4,500 in all passed when this was written).
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnnport import RNN, dotnet
from rnnport.verify.compare import compare

AWKWARD = st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1e-310, -2.2e-308, 1e3, -1e3, 1.0, -1.0])
VALUES = st.one_of(st.floats(-2.0, 2.0, allow_subnormal=True), AWKWARD)
SETTINGS = settings(max_examples=int(os.environ.get("RNNPORT_EXAMPLES", "150")), deadline=None, database=None,
                    derandomize=os.environ.get("RNNPORT_EXAMPLES") is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def cases(draw):
    I, H, O = (draw(st.integers(1, 6)) for _ in range(3))
    T = draw(st.integers(0, 10))
    weights = [draw(arrays(np.float64, shape, elements=VALUES)) for shape in ((H, I), (H, H), (O, H))]
    h0 = draw(st.one_of(st.none(), arrays(np.float64, H, elements=VALUES)))
    xs = draw(arrays(np.float64, (T, I), elements=VALUES))
    return weights, h0, xs, draw(st.sampled_from(["tanh", "relu"]))


@SETTINGS
@given(case=cases(), mode=st.sampled_from(["teacher-forced", "free-running"]))
def test_exact_mode_is_bit_identical(case, mode):
    """Whatever the shapes and values, exact NumPy and C# agree to the bit at every step."""
    weights, h0, xs, activation = case
    exact = RNN(*weights, h0, activation, kernel="exact")
    state, output = compare(exact, dotnet.DotNetRNN(*weights, h0, activation), xs, mode, "identical")
    assert state.ok and output.ok, (state.describe(), output.describe())


@SETTINGS
@given(case=cases(), mode=st.sampled_from(["teacher-forced", "free-running"]))
def test_fast_mode_is_within_bound(case, mode):
    """Fast (BLAS) NumPy against C#: every element within the derived bound, subnormals included."""
    weights, h0, xs, activation = case
    fast = RNN(*weights, h0, activation)
    state, output = compare(fast, dotnet.DotNetRNN(*weights, h0, activation), xs, mode, "bound")
    assert state.ok and output.ok, (state.describe(), output.describe())


@SETTINGS
@given(case=cases(), bad=st.sampled_from([np.nan, np.inf, -np.inf]), data=st.data())
def test_non_finite_inputs_are_rejected_alike(case, bad, data):
    """A NaN or ±Inf anywhere in xs is a ValueError on both sides, and neither state moves."""
    weights, h0, xs, activation = case
    if xs.size == 0:
        xs = np.zeros((1, weights[0].shape[1]))
    t = data.draw(st.integers(0, xs.shape[0] - 1))
    i = data.draw(st.integers(0, xs.shape[1] - 1))
    xs = xs.copy()
    xs[t, i] = bad
    for model in (RNN(*weights, h0, activation), dotnet.DotNetRNN(*weights, h0, activation)):
        before = model.h.tobytes()
        with pytest.raises(ValueError, match="must be finite"):
            model.forward(xs)
        with pytest.raises(ValueError, match="must be finite"):
            model.step(xs[t])
        assert model.h.tobytes() == before
