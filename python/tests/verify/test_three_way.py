"""The three-way comparison of ``verify --reference torch`` without .NET: a NumPy exact stack stands in for C#.

What must hold: torch agrees with NumPy fast and exact within the stack bounds for every cell, layer
count and direction; the bounds are not vacuous (the usual porting bugs, each given to one side, break
them); exact mode demands 0 ULP between NumPy and its twin and catches a fast-mode twin.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rnnport.cells.stack import RecurrentStack
from rnnport.cli.verify_torch import generated_stack, merge, sequences
from rnnport.torch.reference import run_reference
from rnnport.verify.three_way import ThreeWayReport, compare_runs, run_side, stack_arguments

pytest.importorskip("torch", reason="the torch reference needs python3-torch (make deps installs it)")


def _one_layer(cell: str, kernel: str) -> Any:
    def make(weights: dict, h0: np.ndarray, c0: np.ndarray) -> RecurrentStack:
        return RecurrentStack(cell, weights, num_layers=1, h0=h0, c0=c0 if cell == "lstm" else None, kernel=kernel)
    return make


def _report(stack: RecurrentStack, xs: np.ndarray, mode: str, twin: RecurrentStack | None = None,
            reference: RecurrentStack | None = None) -> ThreeWayReport:
    """NumPy (``mode``), a twin standing in for C# (NumPy exact unless given) and torch (of ``reference``)."""
    arguments = stack_arguments(stack)
    numpy_side = RecurrentStack(**arguments, kernel=mode)
    twin = RecurrentStack(**arguments, kernel="exact") if twin is None else twin
    runs = {"NumPy": run_side(numpy_side, xs, _one_layer(stack.cell, mode)),
            "C#": run_side(twin, xs, _one_layer(stack.cell, "exact"))}
    runs["torch"] = run_reference(numpy_side if reference is None else reference, xs)
    return compare_runs(numpy_side, xs, runs, mode)


GRID = [(cell, L, bidirectional) for cell in ("rnn", "lstm", "gru") for L, bidirectional in ((1, False), (2, True), (3, False))]


@pytest.mark.parametrize("cell,L,bidirectional", GRID)
@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_torch_agrees_within_the_bound(cell: str, L: int, bidirectional: bool, mode: str) -> None:
    stack = generated_stack(cell, L, bidirectional, "tanh", 5, 6, 3, seed=L, nonzero_state=True)
    xs = np.random.default_rng(7).normal(size=(40, 5))
    report = _report(stack, xs, mode)
    assert report.passed, [str(a.violation) for q in report.quantities for a in q.agreements.values() if not a.ok]
    D = 2 if bidirectional else 1
    names = [q.name for q in report.quantities]
    assert names[:L * D] == [f"layer {k} {d}" for k in range(L) for d in ("forward", "reverse")[:D]]
    assert names[L * D:] == ["output y", "h_n"] + (["c_n"] if cell == "lstm" else [])
    torch_pair = report.quantities[0].agreements["NumPy–torch"]
    assert torch_pair.max_abs.max() > 0.0  # torch is not bit-identical: the bound, not luck, is judging
    if mode == "exact":
        assert all(q.agreements["NumPy–C#"].max_ulp.max(initial=0) == 0 for q in report.quantities)


def test_relu_rnn_agrees() -> None:
    stack = generated_stack("rnn", 2, True, "relu", 4, 5, 2, seed=3, nonzero_state=False)
    assert _report(stack, np.random.default_rng(0).normal(size=(30, 4)), "fast").passed


def _swapped(stack: RecurrentStack, change: Any) -> RecurrentStack:
    arguments = stack_arguments(stack)
    arguments["parameters"] = change(dict(arguments["parameters"]))
    return RecurrentStack(**arguments)


def _swap_gates(p: dict) -> dict:
    """The LSTM's i and f blocks exchanged in layer 0: the bug of reading torch's gates in another order."""
    H = p["weight_hh_l0"].shape[1]
    for key in [k for k in p if k.endswith("_l0")]:
        value = np.array(p[key])
        value[:H], value[H:2 * H] = p[key][H:2 * H], p[key][:H]
        p[key] = value
    return p


def _swap_directions(p: dict) -> dict:
    """``_reverse`` weights exchanged with the forward ones."""
    for key in [k for k in p if k.endswith("_reverse")]:
        p[key], p[key[:-len("_reverse")]] = p[key[:-len("_reverse")]], p[key]
    return p


def _drop_bias_hh(p: dict) -> dict:
    """bias_hh zeroed in layer 1, as a port that forgets torch's second bias."""
    p["bias_hh_l1"] = np.zeros_like(p["bias_hh_l1"])
    return p


@pytest.mark.parametrize("bug", [_swap_gates, _swap_directions, _drop_bias_hh], ids=lambda f: f.__name__)
@pytest.mark.parametrize("side", ["reference", "twin"])
def test_porting_bugs_fail_the_comparison(bug: Any, side: str) -> None:
    """Negative controls: each usual porting bug, on torch's side or on the C# stand-in's, is a FAIL."""
    stack = generated_stack("lstm", 2, True, "tanh", 4, 5, 3, seed=11, nonzero_state=True)
    xs = np.random.default_rng(5).normal(size=(12, 4))
    broken = _swapped(stack, bug)
    report = (_report(stack, xs, "fast", reference=broken) if side == "reference"
              else _report(stack, xs, "fast", twin=RecurrentStack(**stack_arguments(broken), kernel="exact")))
    assert not report.passed
    pairs = {label for q in report.quantities for label, a in q.agreements.items() if not a.ok}
    assert pairs == ({"NumPy–torch", "C#–torch"} if side == "reference" else {"NumPy–C#", "C#–torch"})


def test_exact_mode_catches_a_fast_twin() -> None:
    """0 ULP is demanded of NumPy–C# in exact mode: a twin on BLAS fails it, though it is within the bound."""
    stack = generated_stack("gru", 2, False, "tanh", 6, 16, 3, seed=2, nonzero_state=True)
    xs = np.random.default_rng(9).normal(size=(60, 6))
    fast_twin = RecurrentStack(**stack_arguments(stack), kernel="fast")
    assert _report(stack, xs, "fast", twin=fast_twin).passed
    report = _report(stack, xs, "exact", twin=fast_twin)
    assert not report.passed
    assert {label for q in report.quantities for label, a in q.agreements.items() if not a.ok} == {"NumPy–C#"}


def test_a_batch_in_torch_layouts_is_its_sequences() -> None:
    xs = np.random.default_rng(1).normal(size=(3, 7, 4))  # (B, T, I)
    batch_first = sequences(xs, batch_first=True)
    seq_first = sequences(np.swapaxes(xs, 0, 1), batch_first=False)
    assert len(batch_first) == 3 and all(np.array_equal(a, b) for a, b in zip(batch_first, seq_first))
    assert np.array_equal(batch_first[1], xs[1])
    stack = generated_stack("rnn", 1, True, "tanh", 4, 5, 2, seed=0, nonzero_state=False)
    reports = [_report(stack, seq, "fast") for seq in batch_first]
    merged = merge(reports)
    worst = max(float(r.quantities[0].agreements["NumPy–torch"].max_abs.max()) for r in [_report(stack, s, "fast") for s in batch_first])
    assert float(merged.quantities[0].agreements["NumPy–torch"].max_abs.max()) == worst
