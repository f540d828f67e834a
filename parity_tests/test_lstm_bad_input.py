"""Bad input to the LSTM: NumPy and the C# twin refuse alike, same type, same one-line message, state unchanged."""
from __future__ import annotations

import re

import numpy as np
import pytest

from rnnport.cells.lstm import LSTM
from rnnport.dotnet.lstm import DotNetLSTM

BASE = dict(W_ih=np.ones((8, 3)) * 0.1, W_hh=np.ones((8, 2)) * 0.1, W_hy=np.ones((1, 2)))

CONSTRUCTION = [
    ("W_hh-rows", dict(W_hh=np.ones((5, 2))), ValueError, "W_hh has shape (5, 2), expected (8, 2)"),
    ("W_hh-rank", dict(W_hh=np.ones(8)), ValueError, "W_hh has shape (8,), expected (4H, H)"),
    ("W_ih-rows", dict(W_ih=np.ones((6, 3))), ValueError, "W_ih has shape (6, 3), expected (8, I)"),
    ("h0-shape", dict(h0=np.ones(3)), ValueError, "h0 has shape (3,), expected (2,)"),
    ("c0-shape", dict(c0=np.ones(1)), ValueError, "c0 has shape (1,), expected (2,)"),
    ("b_ih-shape", dict(b_ih=np.ones(4)), ValueError, "b_ih has shape (4,), expected (8,)"),
    ("b_hh-shape", dict(b_hh=np.ones(9)), ValueError, "b_hh has shape (9,), expected (8,)"),
    ("b_y-shape", dict(b_y=np.ones(2)), ValueError, "b_y has shape (2,), expected (1,)"),
    ("c0-inf", dict(c0=[0.0, np.inf]), ValueError, "c0 must be finite, but element (1,) is inf"),
    ("b_hh-nan", dict(b_hh=np.full(8, np.nan)), ValueError, "b_hh must be finite, but element (0,) is nan"),
    ("W_hh-nan", dict(W_hh=np.where(np.eye(8, 2, -3) > 0, np.nan, 0.1)), ValueError,
     "W_hh must be finite, but element (3, 0) is nan"),
    ("W_ih-complex", dict(W_ih=np.ones((8, 3), dtype=complex)), TypeError,
     "W_ih must be an array of real numbers, got dtype complex128"),
]


def _same_refusal(make_numpy, make_net, error, message):
    with pytest.raises(error) as numpy_error:
        make_numpy()
    with pytest.raises(error) as net_error:
        make_net()
    assert str(numpy_error.value) == message
    # The bridge may append the refusing .NET type in brackets; the rest must be the same line.
    assert re.fullmatch(re.escape(message) + r"( \[\w+\])?", str(net_error.value)), str(net_error.value)


@pytest.mark.parametrize("change,error,message", [r[1:] for r in CONSTRUCTION], ids=[r[0] for r in CONSTRUCTION])
def test_construction_refused_alike(change, error, message):
    args = dict(BASE, **change)
    _same_refusal(lambda: LSTM(**args), lambda: DotNetLSTM(**args), error, message)


CALLS = [
    ("x-length", lambda m: m.step(np.ones(4)), ValueError, "x has shape (4,), expected (3,)"),
    ("x-nan", lambda m: m.step([0.0, np.nan, 0.0]), ValueError, "x must be finite, but element (1,) is nan"),
    ("xs-width", lambda m: m.forward(np.ones((2, 4))), ValueError, "xs has shape (2, 4), expected (T, 3)"),
    ("xs-inf", lambda m: m.forward([[0.0, 0.0, 0.0], [0.0, np.inf, 0.0]]), ValueError,
     "xs must be finite, but element (1, 1) is inf"),
    ("h-shape", lambda m: setattr(m, "h", np.ones(3)), ValueError, "h has shape (3,), expected (2,)"),
    ("c-shape", lambda m: setattr(m, "c", np.ones(1)), ValueError, "c has shape (1,), expected (2,)"),
    ("c-inf", lambda m: setattr(m, "c", [0.0, -np.inf]), ValueError, "c must be finite, but element (1,) is -inf"),
]


@pytest.mark.parametrize("call,error,message", [r[1:] for r in CALLS], ids=[r[0] for r in CALLS])
def test_calls_refused_alike_state_unchanged(call, error, message):
    args = dict(BASE, h0=[0.5, -0.5], c0=[1.0, 2.0])
    numpy_model, net_model = LSTM(**args), DotNetLSTM(**args)
    numpy_model.step([1.0, 2.0, 3.0]); net_model.step([1.0, 2.0, 3.0])
    before = [(m.h.tobytes(), m.c.tobytes()) for m in (numpy_model, net_model)]
    _same_refusal(lambda: call(numpy_model), lambda: call(net_model), error, message)
    assert [(m.h.tobytes(), m.c.tobytes()) for m in (numpy_model, net_model)] == before


@pytest.mark.parametrize("what", ["step", "forward"])
def test_non_finite_results_refused_alike(what):
    """A NaN pre-activation (+inf from x, −inf from h) and an overflowing output: same message both sides."""
    nan_args = dict(W_ih=np.full((4, 1), 1e308), W_hh=np.full((4, 1), -1e308), W_hy=np.ones((1, 1)), h0=[10.0])
    big_args = dict(W_ih=np.zeros((8, 1)), W_hh=np.zeros((8, 2)), b_ih=np.full(8, 10.0), c0=np.ones(2),
                    W_hy=np.full((1, 2), 1e308))
    for args, message in ((nan_args, "the state"), (big_args, "the output")):
        numpy_model, net_model = LSTM(**args), DotNetLSTM(**args)
        run = (lambda m: m.step([10.0])) if what == "step" else (lambda m: m.forward([[10.0]]))
        with pytest.raises(FloatingPointError) as numpy_error:
            run(numpy_model)
        with pytest.raises(FloatingPointError) as net_error:
            run(net_model)
        assert message in str(numpy_error.value)
        assert str(net_error.value) == f"{numpy_error.value} [NonFiniteResultException]"
        assert net_model.h.tobytes() == numpy_model.h.tobytes() == np.asarray(args.get("h0", [0.0, 0.0]), float).tobytes()


def test_getters_are_copies():
    args = dict(BASE, b_ih=np.zeros(8), b_hh=np.zeros(8))
    m = DotNetLSTM(**args)
    for name in ("h", "c", "h0", "c0", "W_ih", "W_hh", "W_hy", "b_ih", "b_hh"):
        getattr(m, name)[...] = np.nan
        assert np.isfinite(getattr(m, name)).all(), name
    assert set(m.parameters()) == {"W_ih", "W_hh", "W_hy", "b_ih", "b_hh"}
