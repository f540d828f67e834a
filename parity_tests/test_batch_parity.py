"""Batches across the bridge: NumPy exact ``forward_batch`` against C#'s ``ForwardBatch`` at 0 ULP, C#'s batch
against its own single-sequence ``Forward``, fast NumPy within the bound, and the refusals (docs/exact-mode.md,
"Batches")."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from rnnport.dotnet import DotNetRNN
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.lstm import DotNetLSTM

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python" / "tests" / "cells"))
from batch_cases import CELLS, bits, make_cell, single, state  # noqa: E402

# (B, T, I, H, O): B past one block of 8 rows and with a remainder; H with and without 8-column panels;
# B = 1; a width-1 model; B·T·H large enough that C# splits the rows over the cores.
SHAPES = [(11, 6, 3, 13, 4), (8, 5, 4, 16, 5), (1, 4, 2, 7, 3), (3, 3, 1, 1, 1), (40, 60, 8, 48, 8)]


def twin(model):
    """The bridge twin of a NumPy cell, with its parameters and current state."""
    p = model.parameters()
    if type(model).__name__ == "RNN":
        net = DotNetRNN(p["W_xh"], p["W_hh"], p["W_hy"], model.h, b_h=p.get("b_h"), b_y=p.get("b_y"))
    elif type(model).__name__ == "LSTM":
        net = DotNetLSTM(p["W_ih"], p["W_hh"], p["W_hy"], model.h, model.c, b_ih=p["b_ih"], b_hh=p["b_hh"], b_y=p["b_y"])
    else:
        net = DotNetGRU(p["W_ih"], p["W_hh"], p["W_hy"], model.h, b_ih=p["b_ih"], b_hh=p["b_hh"], b_y=p["b_y"])
    return net


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("B,T,I,H,O", SHAPES)
def test_numpy_exact_and_csharp_batches_agree_bit_for_bit(name, B, T, I, H, O):
    model = make_cell(name, "exact", I, H, O, seed=B + 7 * H)
    net = twin(model)
    xs = np.random.default_rng(B * T).normal(size=(B, T, I))
    numpy_results, net_results = model.forward_batch(xs), net.forward_batch(xs)
    assert len(numpy_results) == len(net_results)
    for a, b in zip(numpy_results, net_results):
        assert a.shape == b.shape
        np.testing.assert_array_equal(bits(a), bits(b))
    for now, then in zip(state(net), state(model)):  # C#'s state is left as it was too
        np.testing.assert_array_equal(bits(now), bits(then))


@pytest.mark.parametrize("name", CELLS)
def test_each_csharp_sequence_is_its_own_forward(name):
    net = twin(make_cell(name, "fast", 5, 19, 3, seed=5))
    xs = np.random.default_rng(6).normal(size=(17, 9, 5))
    batch = net.forward_batch(xs)
    for b in range(len(xs)):
        for got, want in zip(batch, single(net, xs[b])):
            np.testing.assert_array_equal(bits(got[b]), bits(want))


def test_the_comparison_can_fail():
    """Negative control: C#'s batch against NumPy's fast batch (BLAS) differs in some bit."""
    fast = make_cell("RNN", "fast", 6, 32, 5, seed=3)
    xs = np.random.default_rng(4).normal(size=(9, 30, 6))
    assert (bits(fast.forward_batch(xs)[1]) != bits(twin(fast).forward_batch(xs)[1])).any()


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("B,T", [(0, 3), (4, 0)])
def test_empty_batches(name, B, T):
    model = make_cell(name, "exact", 3, 4, 2, seed=1)
    for a, b in zip(model.forward_batch(np.zeros((B, T, 3))), twin(model).forward_batch(np.zeros((B, T, 3)))):
        assert a.shape == b.shape == (B, T, a.shape[2])


@pytest.mark.parametrize("name", CELLS)
def test_fast_numpy_batch_is_within_the_bound_of_csharp(name):
    """The NumPy fast batch against C#, states and outputs, free-running per sequence: the same derived bounds
    as the NumPy tests (``python/tests/cells/test_batch.py``), C# standing in for exact mode."""
    from test_batch import _fast_within_bound

    fast = make_cell(name, "fast", 6, 24, 5, seed=8)
    assert _fast_within_bound(name, fast, twin(fast), np.random.default_rng(9).normal(size=(3, 30, 6))) <= 1.0


def test_a_non_finite_result_is_refused_alike():
    from rnnport.cells import RNN

    args = (np.full((1, 1), 1e308), np.zeros((1, 1)), np.ones((1, 1)))
    xs = np.ones((3, 4, 1))
    xs[1, 2, 0] = xs[2, 3, 0] = 10.0
    messages = []
    for model in (RNN(*args, activation="relu", kernel="exact"), DotNetRNN(*args, activation="relu")):
        with pytest.raises(FloatingPointError) as error:
            model.forward_batch(xs)
        messages.append(str(error.value))
        np.testing.assert_array_equal(model.h, [0.0])
    assert messages[0] == "forward_batch: sequence 1: the state at step 2 is not finite (element 0 is inf)"
    assert messages[1] == messages[0] + " [NonFiniteResultException]"  # the bridge names the C# exception


@pytest.mark.parametrize("name", CELLS)
def test_batch_bptt_agrees_bit_for_bit(name):
    """NumPy exact ``bptt_batch`` against C#'s ``BatchBptt.Run``: loss, every gradient and the final states at
    0 ULP (both sum b = 0 … B−1 from +0.0); the bridge twin of the summed gradients reads them in NumPy layout."""
    from rnnport.cells.batch_bptt import bptt_batch
    from rnnport.dotnet.batch_bptt import bptt_batch as net_bptt_batch

    model = make_cell(name, "exact", 3, 6, 4, seed=31)
    rng = np.random.default_rng(32)
    xs, targets = rng.normal(size=(5, 7, 3)), rng.integers(0, 4, size=(5, 7))
    a, b = bptt_batch(model, xs, targets), net_bptt_batch(twin(model), xs, targets)
    assert bits(np.array(a.loss)) == bits(np.array(b.loss))
    for field in a.gradients.START_STATES + tuple(a.gradients.parameters()):
        np.testing.assert_array_equal(bits(getattr(a.gradients, field)), bits(getattr(b.gradients, field)), err_msg=field)
    np.testing.assert_array_equal(bits(a.h_last), bits(b.h_last))
    if name == "LSTM":
        np.testing.assert_array_equal(bits(a.c_last), bits(b.c_last))


def test_batch_bptt_refusals_agree():
    from rnnport.cells.batch_bptt import bptt_batch
    from rnnport.dotnet.batch_bptt import bptt_batch as net_bptt_batch

    model = make_cell("GRU", "exact", 3, 4, 2, seed=1)
    for xs, targets, pattern in ((np.zeros((0, 2, 3)), np.zeros((0, 2), int), r"^xs has shape \(0, T, I\)"),
                                 (np.zeros((2, 2, 3)), np.zeros((2, 3), int), r"^targets has shape \(2, 3\), expected \(2, 2\)$"),
                                 (np.zeros((2, 2, 3)), np.array([[0, 1], [2, 0]]), r"^sequence 1: targets\[0\] = 2 is outside")):
        for run, m in ((bptt_batch, model), (net_bptt_batch, twin(model))):
            with pytest.raises(ValueError, match=pattern):
                run(m, xs, targets)
