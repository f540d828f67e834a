"""The NumPy models against the golden vectors, without .NET: exact mode to the bit, fast mode within bound.

The vectors (parity_tests/vectors/) were produced by the NumPy exact model *and* the C# model, and
written only where the two agreed bit for bit; see the README there. Every cell has its files
(``golden_vectors.file_name``); negative controls show that one flipped bit in a stored value, and a
port with the LSTM's gates in the wrong order or the GRU's b_hh dropped, are caught.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnport.verify import golden_vectors as golden

VECTORS = Path(__file__).resolve().parents[3] / "parity_tests" / "vectors"
CASES = [(cell, behaviour, case) for cell, behaviours in golden.CELL_BEHAVIOURS.items() for behaviour in behaviours
         for case in golden.read(VECTORS / golden.file_name(cell, behaviour))["cases"]]
IDS = [f"{cell}-{behaviour}-{case['name']}" for cell, behaviour, case in CASES]


def _case(cell: str, behaviour: str, name: str) -> dict:
    return next(c for c in golden.read(VECTORS / golden.file_name(cell, behaviour))["cases"] if c["name"] == name)


def test_every_behaviour_of_every_cell_has_a_file():
    """One file per behaviour per cell, each with two cases, and no other file."""
    names = [golden.file_name(cell, b) for cell, behaviours in golden.CELL_BEHAVIOURS.items() for b in behaviours]
    stacks = ["stack_sequence.json", "stack_loss_and_gradients.json"]  # RecurrentStack's (test_stack_golden.py)
    assert sorted(p.name for p in VECTORS.glob("*.json")) == sorted(names + stacks)
    assert len(names) == 6 + 5 + 5
    assert len(CASES) == 2 * len(names)


@pytest.mark.parametrize("cell, behaviour, case", CASES, ids=IDS)
def test_exact_mode_reproduces_every_bit(cell, behaviour, case):
    """Every expected value, recomputed by the NumPy exact model, has the stored 64-bit pattern."""
    got = golden.RUNNERS[behaviour](golden.numpy_side("exact", cell), case["inputs"])
    assert golden.mismatches(got, case["expected"]) == []


@pytest.mark.parametrize("cell, behaviour, case", CASES, ids=IDS)
def test_fast_mode_is_within_bound(cell, behaviour, case):
    """Fast (BLAS) mode agrees normwise to 64·n·T·u, n = 21 ≥ I + H + 2 terms per sum, T ≤ 48 steps
    (three updates of 16); sampled picks are identical."""
    got = golden.RUNNERS[behaviour](golden.numpy_side("fast", cell), case["inputs"])
    for name, want in case["expected"].items():
        want = np.asarray(want, dtype=float)
        bound = 64 * 21 * 48 * 2.0**-53 * float(np.abs(want).max(initial=1.0))
        np.testing.assert_allclose(np.asarray(got[name], dtype=float), want, rtol=0, atol=bound, err_msg=name)


@pytest.mark.parametrize("cell, behaviour", [("rnn", "sequence"), ("lstm", "loss_and_gradients"),
                                             ("gru", "adagrad_step")])
def test_negative_control_one_flipped_bit_in_a_stored_value_is_caught(cell, behaviour):
    """The last bit of one stored number flipped: the exact check names that value and nothing else."""
    case = _case(cell, behaviour, golden.cases(behaviour, cell=cell)[0]["name"])
    got = golden.RUNNERS[behaviour](golden.numpy_side("exact", cell), case["inputs"])
    name = sorted(k for k, v in case["expected"].items() if isinstance(v, np.ndarray))[-1]
    tampered = dict(case["expected"], **{name: case["expected"][name].copy()})
    tampered[name].view(np.int64).ravel()[0] ^= 1
    assert golden.mismatches(got, tampered) == [name]


def test_negative_control_lstm_gates_in_the_wrong_order_miss_the_vectors():
    """W_ih, W_hh and both biases read as [f | i | g | o]: the stored step is not reproduced."""
    case = _case("lstm", "single_step", "biases")
    inputs = dict(case["inputs"])
    for n in ("W_ih", "W_hh", "b_ih", "b_hh"):
        i, f, g, o = np.split(inputs[n], 4)
        inputs[n] = np.concatenate([f, i, g, o])
    got = golden.RUNNERS["single_step"](golden.numpy_side("exact", "lstm"), inputs)
    assert set(golden.mismatches(got, case["expected"])) == {"y", "h", "c"}


def test_negative_control_gru_without_b_hh_misses_the_vectors():
    """A GRU port that reads one bias vector (b_hh dropped) does not reproduce the stored sequence."""
    case = _case("gru", "sequence", "biases")
    inputs = {k: v for k, v in case["inputs"].items() if k != "b_hh"}
    got = golden.RUNNERS["sequence"](golden.numpy_side("exact", "gru"), inputs)
    assert set(golden.mismatches(got, case["expected"])) == {"ys", "hs"}
