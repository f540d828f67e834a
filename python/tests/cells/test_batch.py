"""forward_batch: each sequence bit for bit its own forward in exact mode, within the bound in fast mode,
the state unchanged, the edge cases and the refusals (docs/exact-mode.md, "Batches")."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cells.lstm_bounds import sequence_bounds
from rnnport.verify.bounds import output_bound, state_bound
from rnnport.verify.gru_bounds import gru_output_bound, gru_state_bound

from batch_cases import CELLS, bits, make_cell, single, state

SHAPES = [(5, 7, 3, 4, 2), (1, 3, 1, 1, 1), (9, 2, 4, 9, 3)]  # (B, T, I, H, O)


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("B,T,I,H,O", SHAPES)
def test_exact_batch_is_each_sequences_forward_bit_for_bit(name, B, T, I, H, O):
    model = make_cell(name, "exact", I, H, O, seed=B * 100 + H)
    xs = np.random.default_rng(H).normal(size=(B, T, I))
    before = state(model)
    batch = model.forward_batch(xs)
    assert len(batch) == (3 if name == "LSTM" else 2)
    for b in range(B):
        for got, want in zip(batch, single(model, xs[b])):
            assert got[b].shape == want.shape
            np.testing.assert_array_equal(bits(got[b]), bits(want))
    for now, then in zip(state(model), before):  # the model's state is left as it was
        np.testing.assert_array_equal(bits(now), bits(then))


@pytest.mark.parametrize("name", CELLS)
def test_the_bit_comparison_can_fail(name):
    """Negative control: the fast batch (BLAS, NumPy's exp/tanh) differs from exact single sequences
    somewhere, and a batch compared with the wrong sequence differs everywhere that matters."""
    exact, fast = make_cell(name, "exact", 6, 16, 5, seed=3), make_cell(name, "fast", 6, 16, 5, seed=3)
    xs = np.random.default_rng(4).normal(size=(4, 20, 6))
    ys_fast = fast.forward_batch(xs)[0]
    assert any((bits(ys_fast[b]) != bits(single(exact, xs[b])[0])).any() for b in range(4))
    ys_exact = exact.forward_batch(xs)[0]
    assert (bits(ys_exact[0]) != bits(single(exact, xs[1])[0])).any()


def _fast_within_bound(name, model, exact, xs):
    """Free-running: the fast batch's states and outputs against exact single sequences, per step, with the
    derived bound of each cell (each side from its own previous state). Returns the worst fraction used."""
    worst = 0.0
    p = model.parameters()
    for b, (got, want) in enumerate(zip(zip(*model.forward_batch(xs)), (single(exact, x) for x in xs))):
        start = state(exact)
        if name == "RNN":
            ys_a, hs_a = got
            ys_b, hs_b = want
            prev_a, prev_b = (np.vstack([start[0][None], hs[:-1]]) for hs in (hs_a, hs_b))
            hb = state_bound(p["W_xh"], p["W_hh"], xs[b], prev_a, prev_b, hs_a, hs_b, "tanh")
            yb = output_bound(p["W_hy"], hs_a, hs_b) + 4 * np.spacing(np.abs(ys_b))  # + b_y: one more rounding
            pairs = [(hs_a, hs_b, hb), (ys_a, ys_b, yb)]
        elif name == "LSTM":
            (ys_a, hs_a, cs_a), (ys_b, hs_b, cs_b, *_) = got, want
            hb, cb, yb = sequence_bounds(p, xs[b], start[0], start[1], (hs_a, cs_a), (hs_b, cs_b))
            pairs = [(hs_a, hs_b, hb), (cs_a, cs_b, cb), (ys_a, ys_b, yb)]
        else:
            (ys_a, hs_a), (ys_b, hs_b) = got, want
            prev_a, prev_b = (np.vstack([start[0][None], hs[:-1]]) for hs in (hs_a, hs_b))
            hb = gru_state_bound(p["W_ih"], p["W_hh"], p.get("b_ih"), p.get("b_hh"), xs[b], prev_a, prev_b)
            yb = gru_output_bound(p["W_hy"], p.get("b_y"), hs_a, hs_b)
            pairs = [(hs_a, hs_b, hb), (ys_a, ys_b, yb)]
        for a, c, bound in pairs:
            worst = max(worst, float(np.max(np.abs(a - c) / bound)))
    return worst


@pytest.mark.parametrize("name", CELLS)
def test_fast_batch_is_within_the_fast_mode_bound(name):
    fast, exact = make_cell(name, "fast", 6, 24, 5, seed=8), make_cell(name, "exact", 6, 24, 5, seed=8)
    xs = np.random.default_rng(9).normal(size=(3, 30, 6))
    assert _fast_within_bound(name, fast, exact, xs) <= 1.0


def test_the_bound_check_can_fail():
    """Negative control: a fast batch nudged by 1e-9 in one state breaks the bound."""
    fast, exact = make_cell("RNN", "fast", 6, 24, 5, seed=8), make_cell("RNN", "exact", 6, 24, 5, seed=8)
    xs = np.random.default_rng(9).normal(size=(3, 30, 6))
    original = fast.forward_batch

    def nudged(xs):
        ys, hs = original(xs)
        hs[1, 10, 3] += 1e-9
        return ys, hs
    fast.forward_batch = nudged
    assert _fast_within_bound("RNN", fast, exact, xs) > 1.0


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("B,T", [(0, 4), (3, 0), (0, 0)])
def test_empty_batches_give_empty_results(name, kernel, B, T):
    model = make_cell(name, kernel, 3, 4, 2, seed=1)
    results = model.forward_batch(np.zeros((B, T, 3)))
    assert [r.shape for r in results] == [(B, T, 2), (B, T, 4)] + ([(B, T, 4)] if name == "LSTM" else [])


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("xs,error,pattern", [
    (np.zeros((2, 3)), ValueError, r"^xs has shape \(2, 3\), expected \(B, T, 3\)$"),
    (np.zeros((2, 3, 4)), ValueError, r"^xs has shape \(2, 3, 4\), expected \(B, T, 3\)$"),
    (np.zeros((1, 2, 3, 3)), ValueError, r"^xs has shape \(1, 2, 3, 3\), expected \(B, T, 3\)$"),
    (np.zeros((2, 3, 3), dtype=complex), TypeError, r"^xs must be an array of real numbers, got dtype complex128$"),
    (None, TypeError, r"^xs must be an array of real numbers, not None$"),
])
def test_bad_batches_are_refused_in_one_line(name, xs, error, pattern):
    model = make_cell(name, "exact", 3, 4, 2, seed=1)
    before = state(model)
    with pytest.raises(error, match=pattern):
        model.forward_batch(xs)
    for now, then in zip(state(model), before):
        np.testing.assert_array_equal(bits(now), bits(then))


@pytest.mark.parametrize("name", CELLS)
def test_a_non_finite_input_is_named_by_its_three_indices(name):
    xs = np.zeros((3, 4, 3))
    xs[2, 1, 0], xs[1, 3, 2] = np.inf, np.nan
    with pytest.raises(ValueError, match=r"^xs must be finite, but element \(1, 3, 2\) is nan$"):
        make_cell(name, "fast", 3, 4, 2, seed=1).forward_batch(xs)


@pytest.mark.parametrize("kernel", ["fast", "exact"])
def test_a_non_finite_result_names_the_first_sequence_then_step(kernel):
    from rnnport.cells import RNN
    model = RNN(np.full((1, 1), 1e308), np.zeros((1, 1)), np.ones((1, 1)), activation="relu", kernel=kernel)
    xs = np.ones((3, 4, 1))
    xs[1, 2, 0] = 10.0  # 1e309: inf at step 2 of sequence 1; sequence 2 overflows later, at step 3
    xs[2, 3, 0] = 10.0
    with pytest.raises(FloatingPointError,
                       match=r"^forward_batch: sequence 1: the state at step 2 is not finite \(element 0 is inf\)$"):
        model.forward_batch(xs)
    np.testing.assert_array_equal(model.h, [0.0])
