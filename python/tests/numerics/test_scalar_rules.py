"""The one rule for scalar and index arguments (``rnnport.numerics.checks``), and getters that hand out no live memory."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN, bptt, optim, sampling
from rnnport.numerics.checks import as_int_scalar, as_real_scalar
from rnnport.training import clipping
from rnnport.verify.cases import make_case

REALS = [1, 0.5, np.float32(0.5), np.float64(0.5), np.int8(3), np.uint64(7)]
NOT_REALS = [True, np.bool_(False), "0.1", None, 1j, np.array(0.5), np.array([0.5]), [0.5]]


@pytest.mark.parametrize("value", REALS, ids=repr)
def test_real_scalars_are_accepted_as_float(value):
    assert as_real_scalar(value, "rate") == float(value) and type(as_real_scalar(value, "rate")) is float


@pytest.mark.parametrize("value", NOT_REALS, ids=repr)
def test_everything_else_is_a_type_error_naming_the_argument(value):
    with pytest.raises(TypeError, match=r"^rate must be a real number, got \w+$"):
        as_real_scalar(value, "rate")


@pytest.mark.parametrize("value, ok", [(3, True), (np.int32(3), True), (True, False), (1.5, False), (3.0, False), ("3", False)])
def test_indices_are_ints_not_bools_or_floats(value, ok):
    if ok:
        assert as_int_scalar(value, "seed_index") == 3
    else:
        with pytest.raises(TypeError, match="seed_index must be an integer"):
            as_int_scalar(value, "seed_index")


def test_every_scalar_argument_uses_the_rule():
    """SGD, Adagrad (rate and eps), sampling (seed, temperature) and both clip functions refuse a str."""
    case = make_case(3, 4, 3, 5, seed=2)
    model = case.numpy_model()
    grads = bptt.bptt(model, case.xs, np.arange(5) % 3).gradients
    calls = [lambda: optim.SGD("0.1"), lambda: optim.Adagrad("0.1"), lambda: optim.Adagrad(0.1, "1e-8"),
             lambda: sampling.sample(model, "0", [0.5]), lambda: sampling.sample(model, 0, [0.5], "1"),
             lambda: clipping.clip_elementwise(grads, "5"), lambda: clipping.clip_global_norm(grads, "5")]
    for call in calls:
        with pytest.raises(TypeError, match="must be"):
            call()
    assert optim.SGD(np.float32(0.25)).learning_rate == 0.25  # NumPy's own scalars are real numbers


def test_getters_hand_out_no_live_memory():
    """h is a copy; h0, the weights and parameters() are read-only views; apply_update alone writes."""
    case = make_case(3, 4, 2, 5, seed=2)
    model = RNN(case.W_xh, case.W_hh, case.W_hy, b_h=np.zeros(4), b_y=np.zeros(2))
    model.forward(case.xs)
    before = model.h
    model.h[:] = np.nan
    assert np.array_equal(model.h, before)
    for name in ("h0", "W_xh", "W_hh", "W_hy", "b_h", "b_y"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(model, name)[...] = np.nan
        assert np.isfinite(getattr(model, name)).all()
    view = model.parameters()["W_hh"]
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 0.125
    new = model.W_hh.copy()
    new[0, 0] = 0.125
    model.apply_update({"W_hh": new})
    assert model.W_hh[0, 0] == 0.125 and view[0, 0] == 0.125  # the views show what an update writes
