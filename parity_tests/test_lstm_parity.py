"""NumPy ``LSTM`` against C# ``RnnPort.LSTM`` (through ``DotNetLSTM``): 0 ULP in exact mode, the derived bound in fast mode.

Exact mode compares raw 64-bit patterns of every output, state and cell state. Fast mode checks every element
against ``rnnport.cells.lstm_bounds``, teacher-forced (C# starts each step from NumPy's previous h and c) and
free-running. Negative controls: the i and f gate blocks swapped on one side, and b_hh dropped on one side.
"""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cells.lstm import LSTM
from rnnport.cells.lstm_bounds import sequence_bounds
from rnnport.dotnet.lstm import DotNetLSTM
from test_torch_lstm import assert_within, lstm_case

# (I, H, O, T): size-1 axes, non-square, T = 1, an empty sequence, wider ones.
GRID = [(1, 1, 1, 1), (1, 1, 1, 30), (3, 1, 2, 20), (1, 4, 1, 20), (5, 3, 7, 1), (5, 3, 7, 0), (4, 6, 2, 40),
        (16, 32, 8, 100)]


def bits(a: np.ndarray) -> list[int]:
    return np.ascontiguousarray(a).view(np.int64).ravel().tolist()


def assert_bit_identical(numpy_result, net_result) -> None:
    for name, a, b in zip(("outputs", "states", "cell states"), numpy_result, net_result):
        assert a.shape == b.shape, name
        if bits(a) != bits(b):
            t, j = np.argwhere(a.view(np.int64) != b.view(np.int64))[0]
            raise AssertionError(f"{name} differ first at step {t}, element {j}: {a[t, j]!r} vs {b[t, j]!r}")


def swap_i_f(args: dict) -> dict:
    """The i and f row blocks exchanged in W_ih, W_hh, b_ih and b_hh: the classic wrong gate order."""
    out = dict(args)
    for n in ("W_ih", "W_hh", "b_ih", "b_hh"):
        if args.get(n) is not None:
            i, f, g, o = np.split(args[n], 4)
            out[n] = np.concatenate([f, i, g, o])
    return out


@pytest.mark.parametrize("biases", [True, False], ids=["biases", "no-biases"])
@pytest.mark.parametrize("I,H,O,T", GRID, ids=[f"I{i}-H{h}-O{o}-T{t}" for i, h, o, t in GRID])
def test_exact_forward_is_bit_identical(I, H, O, T, biases):
    args, xs = lstm_case(I, H, O, T, seed=100 * I + 10 * H + O, biases=biases)
    assert_bit_identical(LSTM(**args, kernel="exact").forward(xs), DotNetLSTM(**args).forward(xs))


def test_exact_10000_steps_are_bit_identical():
    args, xs = lstm_case(3, 5, 2, 10_000, seed=10)
    numpy_model, net_model = LSTM(**args, kernel="exact"), DotNetLSTM(**args)
    assert_bit_identical(numpy_model.forward(xs), net_model.forward(xs))
    assert bits(numpy_model.h) == bits(net_model.h) and bits(numpy_model.c) == bits(net_model.c)


def test_exact_steps_and_state_setters_are_bit_identical():
    """step/TimeStep, then set h and c, reset, step again: the same bits at every call."""
    args, xs = lstm_case(4, 3, 2, 6, seed=11)
    a, b = LSTM(**args, kernel="exact"), DotNetLSTM(**args)
    for x in xs[:3]:
        assert bits(a.step(x)) == bits(b.step(x))
        assert bits(a.h) == bits(b.h) and bits(a.c) == bits(b.c)
    a.h = b.h = [0.5, -0.25, 0.125]
    a.c = b.c = [2.0, -3.0, 0.0]
    assert bits(a.step(xs[3])) == bits(b.step(xs[3]))
    a.reset(); b.reset()
    assert bits(a.h) == bits(b.h) == bits(args["h0"]) and bits(a.c) == bits(b.c) == bits(args["c0"])
    assert bits(a.step(xs[4])) == bits(b.step(xs[4]))


def test_exact_negative_control_swapped_gates_differ_at_the_first_step():
    args, xs = lstm_case(5, 3, 7, 5, seed=12)
    with pytest.raises(AssertionError, match="differ first at step 0"):
        assert_bit_identical(LSTM(**swap_i_f(args), kernel="exact").forward(xs), DotNetLSTM(**args).forward(xs))


def teacher_forced(args: dict, xs: np.ndarray, numpy_result) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """C# runs each step t from NumPy's h, c after step t − 1."""
    _, hs, cs = numpy_result
    net = DotNetLSTM(**args)
    ys_n, hs_n, cs_n = [], [], []
    for t, x in enumerate(xs):
        if t:
            net.h, net.c = hs[t - 1], cs[t - 1]
        ys_n.append(net.step(x)); hs_n.append(net.h); cs_n.append(net.c)
    H, O = args["W_hh"].shape[1], args["W_hy"].shape[0]
    return (np.array(ys_n).reshape(-1, O), np.array(hs_n).reshape(-1, H), np.array(cs_n).reshape(-1, H))


def fast_check(args: dict, xs: np.ndarray, mode: str, numpy_args: dict | None = None) -> dict[str, float]:
    """NumPy fast (with ``numpy_args`` if given) against C# within the bound; returns the worst fraction used."""
    numpy_result = LSTM(**(numpy_args or args)).forward(xs)
    if mode == "teacher-forced":
        net_result = teacher_forced(args, xs, numpy_result)
        forced = (numpy_result[1], numpy_result[2])
    else:
        net_result = DotNetLSTM(**args).forward(xs)
        forced = None
    bh, bc, by = sequence_bounds(args, xs, args["h0"], args["c0"], (numpy_result[1], numpy_result[2]),
                                 (net_result[1], net_result[2]), teacher_forced_from=forced)
    return {"h": assert_within("h", numpy_result[1], net_result[1], bh),
            "c": assert_within("c", numpy_result[2], net_result[2], bc),
            "y": assert_within("y", numpy_result[0], net_result[0], by)}


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
@pytest.mark.parametrize("biases", [True, False], ids=["biases", "no-biases"])
@pytest.mark.parametrize("I,H,O,T", GRID, ids=[f"I{i}-H{h}-O{o}-T{t}" for i, h, o, t in GRID])
def test_fast_forward_is_within_the_bound(I, H, O, T, biases, mode):
    args, xs = lstm_case(I, H, O, T, seed=100 * I + 10 * H + O + 1, biases=biases)
    fast_check(args, xs, mode)


def test_fast_free_running_1000_steps_within_the_bound():
    args, xs = lstm_case(8, 64, 8, 1000, seed=13)
    used = fast_check(args, xs, "free-running")
    assert max(used.values()) < 1.0


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_fast_negative_control_swapped_gates_fail(mode):
    args, xs = lstm_case(5, 3, 7, 20, seed=14)
    with pytest.raises(AssertionError, match="over the bound"):
        fast_check(args, xs, mode, numpy_args=swap_i_f(args))


@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_fast_negative_control_dropped_recurrent_bias_fails(mode):
    args, xs = lstm_case(5, 3, 7, 20, seed=15)
    dropped = dict(args); dropped.pop("b_hh")
    with pytest.raises(AssertionError, match="over the bound"):
        fast_check(args, xs, mode, numpy_args=dropped)


def test_the_swap_is_seen_by_the_bridge_too():
    """The same negative control on the C# side: a swap passed to C# (not NumPy) also fails."""
    args, xs = lstm_case(5, 3, 7, 20, seed=16)
    with pytest.raises(AssertionError, match="differ first at step 0"):
        assert_bit_identical(LSTM(**args, kernel="exact").forward(xs), DotNetLSTM(**swap_i_f(args)).forward(xs))
