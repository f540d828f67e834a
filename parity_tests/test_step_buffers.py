"""``step`` through pinned buffers (``StepBuffers``) and ``forward`` through a reused .NET input matrix.

A float64 (I,) input takes the fast path of ``CellTwin.step``: copied into a pinned .NET array, one .NET
call without arguments, the output copied out. These tests hold it to the checked path's bits and
behaviour: every step equal to the row of C#'s own ``forward`` (exact mode, so 0 ULP), a new array per
call, other inputs (float32, lists) through the checked path with the same bits, refusals unchanged.
"""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.lstm import DotNetLSTM
from rnnport.verify.cases import make_case

I, H, O, T = 5, 40, 3, 12


def models():
    """An RNN, an LSTM and a GRU twin with random weights, both biases on for the gated cells."""
    from rnnport.dotnet import DotNetRNN

    rng = np.random.default_rng(3)
    case = make_case(I, H, O, T, seed=3, nonzero_h0=True)
    gated = {}
    for cls, gates in ((DotNetLSTM, 4), (DotNetGRU, 3)):
        gated[cls.__name__] = cls(W_ih=rng.uniform(-0.3, 0.3, (gates * H, I)), W_hh=rng.uniform(-0.3, 0.3, (gates * H, H)),
                                  W_hy=rng.uniform(-0.3, 0.3, (O, H)), b_ih=rng.uniform(-0.1, 0.1, gates * H),
                                  b_hh=rng.uniform(-0.1, 0.1, gates * H), b_y=rng.uniform(-0.1, 0.1, O))
    return [DotNetRNN(*case.weights()), gated["DotNetLSTM"], gated["DotNetGRU"]], case.xs


@pytest.mark.parametrize("index", [0, 1, 2], ids=["RNN", "LSTM", "GRU"])
def test_steps_are_the_bits_of_forward_and_new_arrays(index):
    model = models()[0][index]
    xs = models()[1]
    ys = model.forward(xs)[0]  # (ys, hs) or, for the LSTM, (ys, hs, cs)
    model.reset()

    stepped = [model.step(x) for x in xs]

    assert np.array_equal(np.array(stepped).view(np.int64), ys.view(np.int64))
    assert len({id(y) for y in stepped}) == T and not any(np.shares_memory(a, b) for a, b in zip(stepped, stepped[1:]))


@pytest.mark.parametrize("index", [0, 1, 2], ids=["RNN", "LSTM", "GRU"])
def test_other_inputs_take_the_checked_path_with_the_same_bits(index):
    model = models()[0][index]
    xs = models()[1].astype(np.float32)
    model.reset()
    fast = [model.step(x.astype(np.float64)) for x in xs]
    model.reset()
    checked = [model.step(list(map(float, x))) for x in xs]
    model.reset()
    from_float32 = [model.step(x) for x in xs]

    assert np.array_equal(np.array(fast), np.array(checked))
    assert np.array_equal(np.array(fast), np.array(from_float32))


@pytest.mark.parametrize("index", [0, 1, 2], ids=["RNN", "LSTM", "GRU"])
def test_a_refused_step_raises_in_numpy_terms_and_changes_nothing(index):
    model = models()[0][index]
    x = models()[1][0].copy()
    before = model.h
    x[2] = np.nan
    with pytest.raises(ValueError, match=r"^x must be finite, but element \(2,\) is nan"):
        model.step(x)
    assert np.array_equal(model.h, before)


def test_forward_reuses_its_input_matrix_without_stale_values():
    """The second forward of the same shape copies into the first one's .NET matrix: it must see the new xs."""
    model, xs = models()[0][0], models()[1]
    other = xs[::-1].copy()
    model.forward(xs)
    model.reset()
    ys, hs = model.forward(other)

    fresh = models()[0][0]
    expected_ys, expected_hs = fresh.forward(other)
    assert np.array_equal(ys, expected_ys) and np.array_equal(hs, expected_hs)
    assert not np.array_equal(ys, fresh.forward(xs)[0])  # negative control: the two sequences differ
