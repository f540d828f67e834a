"""``compare_cell`` over the cell registry, NumPy against NumPy (no .NET): fast against exact kernels is within
each cell's bound, exact against exact is 0 ULP, and a broken twin is caught (negative controls)."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.verify.cell_registry import CELLS, spec_of
from rnnport.verify.compare import compare_cell

QUANTITIES = {"rnn": ["state", "output"], "lstm": ["state", "cell", "output"], "gru": ["state", "output"]}


def test_every_registered_cell_is_covered_here():
    assert sorted(CELLS) == sorted(QUANTITIES)


@pytest.mark.parametrize("cell", sorted(QUANTITIES))
@pytest.mark.parametrize("mode", ["teacher-forced", "free-running"])
def test_fast_against_exact_is_within_the_cells_bound(cell, mode):
    spec = CELLS[cell]
    arguments, xs = spec.case(4, 6, 3, 80, 7, True)
    a, b = spec.numpy_model(arguments, "exact"), spec.numpy_model(arguments, "fast")
    agreements = compare_cell(spec, arguments, a, b, xs, mode)
    assert [g.quantity for g in agreements] == QUANTITIES[cell]
    assert all(g.ok and g.max_abs.shape == (80,) for g in agreements), [g.describe() for g in agreements]
    identical = compare_cell(spec, arguments, a, spec.numpy_model(arguments, "exact"), xs, mode, "identical")
    assert all(g.ok and g.max_ulp.max() == 0 for g in identical)


@pytest.mark.parametrize("cell", sorted(QUANTITIES))
def test_negative_control_a_perturbed_recurrent_weight_is_a_violation(cell):
    """W_hh[0, 0] moved by a relative 10⁻⁹ on side B: outside the fast-mode bound at some step."""
    spec = CELLS[cell]
    arguments, xs = spec.case(4, 6, 3, 40, 8, True)
    W_hh = np.array(arguments["W_hh"])
    W_hh[0, 0] *= 1.0 + 1e-9
    b = spec.numpy_model({**arguments, "W_hh": W_hh}, "fast")
    agreements = compare_cell(spec, arguments, spec.numpy_model(arguments, "fast"), b, xs, "teacher-forced")
    assert agreements[0].violation is not None and agreements[0].violation.quantity == "state"


def test_negative_control_lstm_gates_in_the_wrong_order_break_the_cell_state():
    """The i and f blocks swapped on side B: the cell state is already outside its bound."""
    spec = CELLS["lstm"]
    arguments, xs = spec.case(4, 6, 3, 10, 9, True)
    swapped = {n: (np.concatenate([v[6:12], v[:6], v[12:]]) if n in ("W_ih", "W_hh", "b_ih", "b_hh") else v)
               for n, v in arguments.items()}
    agreements = compare_cell(spec, arguments, spec.numpy_model(arguments, "fast"),
                              spec.numpy_model(swapped, "fast"), xs, "teacher-forced")
    cell = next(g for g in agreements if g.quantity == "cell")
    assert cell.violation is not None and cell.violation.step == 0


@pytest.mark.parametrize("cell", sorted(QUANTITIES))
def test_a_model_rebuilds_from_its_arguments_and_names_its_cell(cell):
    spec = CELLS[cell]
    arguments, _ = spec.case(2, 3, 2, 1, 1, True)
    model = spec.numpy_model(arguments, "fast")
    assert spec_of(model) is spec
    again = spec.arguments(model)
    for name, value in arguments.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(again[name], value), name


def test_an_unregistered_model_is_refused():
    with pytest.raises(TypeError, match="no cell is registered for object"):
        spec_of(object())


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_negative_control_bias_hh_dropped_is_a_violation_at_the_first_step(cell):
    """Side B built without b_hh (a port that reads one bias vector): the state is outside its bound at t = 0."""
    spec = CELLS[cell]
    arguments, xs = spec.case(4, 6, 3, 10, 10, True)
    agreements = compare_cell(spec, arguments, spec.numpy_model(arguments, "fast"),
                              spec.numpy_model({**arguments, "b_hh": None}, "fast"), xs, "free-running")
    assert agreements[0].violation is not None and agreements[0].violation.step == 0
