"""bptt_batch: the per-sequence losses and gradients summed b = 0 … B−1 from +0.0 (docs/exact-mode.md, "Batches")."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cells.batch_bptt import bptt_batch
from rnnport.cells.gru_bptt import gru_bptt
from rnnport.cells.lstm_bptt import bptt as lstm_bptt
from rnnport.cells.rnn_bptt import bptt as rnn_bptt

from batch_cases import CELLS, bits, make_cell, state

ONE = {"RNN": rnn_bptt, "LSTM": lstm_bptt, "GRU": gru_bptt}


def _case(name, kernel="exact", B=4, T=6):
    model = make_cell(name, kernel, 3, 5, 4, seed=21)
    rng = np.random.default_rng(22)
    return model, rng.normal(size=(B, T, 3)), rng.integers(0, 4, size=(B, T))


def _summed(name, model, xs, targets, order):
    """The per-sequence results added in ``order``, from +0.0, as a plain loop."""
    results = [ONE[name](model, xs[b], targets[b]) for b in range(len(xs))]
    loss = 0.0
    grads = [np.zeros_like(a) for a in results[0].gradients.arrays()]
    for b in order:
        loss += results[b].loss
        grads = [g + a for g, a in zip(grads, results[b].gradients.arrays())]
    return loss, grads, results


@pytest.mark.parametrize("name", CELLS)
def test_the_batch_is_the_ordered_sum_of_its_sequences_bit_for_bit(name):
    model, xs, targets = _case(name)
    before = state(model)
    result = bptt_batch(model, xs, targets)
    loss, grads, singles = _summed(name, model, xs, targets, range(len(xs)))
    assert bits(np.array(result.loss)) == bits(np.array(loss))
    assert len(result.gradients.arrays()) == len(grads)
    for got, want in zip(result.gradients.arrays(), grads):
        np.testing.assert_array_equal(bits(got), bits(want))
    np.testing.assert_array_equal(bits(result.h_last), bits(np.stack([r.h_last for r in singles])))
    for now, then in zip(state(model), before):
        np.testing.assert_array_equal(bits(now), bits(then))


@pytest.mark.parametrize("name", CELLS)
def test_the_order_is_visible_in_the_bits(name):
    """Negative control: summing the sequences in reverse order changes some bit of loss or gradients."""
    model, xs, targets = _case(name, B=6, T=8)
    result = bptt_batch(model, xs, targets)
    loss, grads, _ = _summed(name, model, xs, targets, list(reversed(range(len(xs)))))
    differs = loss != result.loss or any((bits(g) != bits(w)).any() for g, w in zip(result.gradients.arrays(), grads))
    assert differs


@pytest.mark.parametrize("name", CELLS)
def test_one_sequence_is_its_own_bptt(name):
    model, xs, targets = _case(name, B=1)
    result, single = bptt_batch(model, xs, targets), ONE[name](model, xs[0], targets[0])
    assert result.loss == single.loss
    for got, want in zip(result.gradients.arrays(), single.gradients.arrays()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("shape,targets,error,pattern", [
    ((0, 3, 3), np.zeros((0, 3), int), ValueError, r"^xs has shape \(0, T, I\): BPTT over a batch needs at least one sequence$"),
    ((2, 3, 3), np.zeros((2, 4), int), ValueError, r"^targets has shape \(2, 4\), expected \(2, 3\)$"),
    ((2, 0, 3), np.zeros((2, 0), int), ValueError, r"^sequence 0: the loss needs a sequence of at least one step, got T=0$"),
    ((2, 3, 3), np.array([[0, 1, 2], [0, 9, 1]]), ValueError, r"^sequence 1: targets\[1\] = 9 is outside the vocabulary \[0, 4\)$"),
])
def test_bad_batches_are_refused(name, shape, targets, error, pattern):
    model = make_cell(name, "fast", 3, 5, 4, seed=1)
    with pytest.raises(error, match=pattern):
        bptt_batch(model, np.zeros(shape), targets)
