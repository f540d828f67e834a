"""The stack golden vectors (parity_tests/vectors/stack_*.json) recomputed by the NumPy stack in exact mode, to the bit.

The C# ``RecurrentStack`` checks the same files from xunit. Negative controls: one flipped bit in a stored
value, and a stack whose LSTM gate blocks i and f are exchanged, are caught.
"""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.verify import golden_vectors as golden
from rnnport.verify import stack_golden

STORED = {behaviour: golden.read(stack_golden.VECTORS / file) for behaviour, file in stack_golden.FILES.items()}
CASES = [(behaviour, case) for behaviour, content in STORED.items() for case in content["cases"]]
IDS = [f"{behaviour}-{case['name']}" for behaviour, case in CASES]


def test_the_files_hold_the_eight_cases_each():
    """Every cell at both shapes, in each file; the sequence file without targets, the loss file with."""
    for behaviour, content in STORED.items():
        assert content["behaviour"] == behaviour
        assert [c["name"] for c in content["cases"]] == [c["name"] for c in stack_golden.cases()]
        assert len(content["cases"]) == 8
        assert all(("targets" in c["inputs"]) == (behaviour == "stack_loss_and_gradients") for c in content["cases"])
    shapes = {(c["inputs"]["cell"], c["inputs"]["nonlinearity"], c["inputs"]["num_layers"], c["inputs"]["bidirectional"],
               "W_hy" in c["inputs"], "bias_ih_l0" in c["inputs"]["parameters"]) for c in STORED["stack_sequence"]["cases"]}
    assert shapes == {(cell, f, L, bi, extras, extras) for cell, f in stack_golden.CELLS for L, bi, extras in stack_golden.SHAPES}


@pytest.mark.parametrize("behaviour, case", CASES, ids=IDS)
def test_exact_mode_reproduces_every_bit(behaviour, case):
    got = stack_golden.RUNNERS[behaviour](case["inputs"])
    assert stack_golden.mismatches(got, case["expected"]) == []


@pytest.mark.parametrize("behaviour, case", CASES, ids=IDS)
def test_fast_mode_is_within_a_normwise_bound(behaviour, case):
    """Fast (BLAS) mode: within 64·n·T·L·u of the largest value, n = 16 ≥ the longest sum (D·H + H), T = 6, L ≤ 3."""
    got = stack_golden.RUNNERS[behaviour](case["inputs"], "fast")
    want = case["expected"]
    for name in want:
        values = want[name]
        if isinstance(values, dict):
            pairs = [(np.asarray(got[name][k]), v) for k, v in values.items()]
        elif isinstance(values, list):
            pairs = list(zip(got[name], values))
        else:
            pairs = [(np.asarray(got[name]), np.asarray(values))]
        for a, b in pairs:
            bound = 64 * 16 * 6 * 3 * 2.0**-53 * float(np.abs(b).max(initial=1.0))
            np.testing.assert_allclose(a, b, rtol=0, atol=bound, err_msg=name)


def test_negative_control_one_flipped_bit_is_caught():
    behaviour, case = CASES[-1]
    got = stack_golden.RUNNERS[behaviour](case["inputs"])
    tampered = dict(case["expected"], h0=case["expected"]["h0"].copy())
    tampered["h0"].view(np.int64)[0, 0] ^= 1
    assert stack_golden.mismatches(got, tampered) == ["/h0"]


def test_negative_control_lstm_gates_i_and_f_exchanged_are_caught():
    """A port that reads torch's LSTM blocks as (f, i, g, o) fails every stored array of the case."""
    case = next(c for c in STORED["stack_sequence"]["cases"] if c["inputs"]["cell"] == "lstm")
    inputs = dict(case["inputs"], parameters=dict(case["inputs"]["parameters"]))
    H = inputs["h0"].shape[1]
    for name, value in inputs["parameters"].items():
        swapped = value.copy()
        swapped[:H], swapped[H:2 * H] = value[H:2 * H], value[:H]
        inputs["parameters"][name] = swapped
    got = stack_golden.stack_sequence(inputs)
    assert set(stack_golden.mismatches(got, case["expected"])) >= {"/ys", "/h_n", "/c_n"}


def test_the_stored_files_are_what_the_generator_writes_now():
    """``python -m rnnport.verify.stack_golden`` (no --write) finds the files current: exit 0."""
    assert stack_golden.main([]) == 0
