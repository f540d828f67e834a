"""The bad-input matrix: every kind of bad input, against the NumPy model and the C# model (bridge).

Each row must give the same *kind* of error on both sides (TypeError or ValueError; the C#
ArgumentException arrives through the bridge as ValueError), a message that says what was expected,
and leave the model's state and weights byte-for-byte as they were. Rows marked "accepted" are inputs
that look unusual but are valid (Fortran order, strided views, read-only arrays, integer dtypes): they
must give the same result as a plain C-contiguous float64 array. docs/bad-input.md is this table;
``test_docs_table_lists_every_case`` keeps the two in step.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rnnport import RNN, bptt, dotnet, optim, sampling
from rnnport.cases import make_case

I, H, O = 4, 5, 4
CASE = make_case(I, H, O, 6, seed=66)
TARGETS = np.array([0, 1, 2, 3, 0, 1])
W = (CASE.W_xh, CASE.W_hh, CASE.W_hy)


def sides():
    return {
        "numpy": SimpleNamespace(RNN=RNN, bptt=bptt.bptt, SGD=optim.SGD, Adagrad=optim.Adagrad, sample=sampling.sample),
        "csharp": SimpleNamespace(RNN=dotnet.DotNetRNN, bptt=dotnet.bptt, SGD=dotnet.SGD, Adagrad=dotnet.Adagrad,
                                  sample=dotnet.sample),
    }


def read_only(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


# (id, what, call(side, model), error or None when accepted, message regex both sides must match)
CASES = [
    ("step-rank-2", "x of rank 2", lambda s, m: m.step(np.zeros((1, I))), ValueError, r"shape"),
    ("step-rank-0", "x of rank 0", lambda s, m: m.step(np.float64(1.0)), ValueError, r"shape"),
    ("step-too-short", "x shorter than I", lambda s, m: m.step(np.zeros(I - 1)), ValueError, r"expected"),
    ("step-too-long", "x longer than I", lambda s, m: m.step(np.zeros(I + 1)), ValueError, r"expected"),
    ("step-empty", "x of shape (0,)", lambda s, m: m.step(np.zeros(0)), ValueError, r"expected"),
    ("forward-width", "xs with the wrong axis-1 size", lambda s, m: m.forward(np.zeros((3, I + 2))), ValueError, r"expected"),
    ("forward-rank-1", "xs of rank 1", lambda s, m: m.forward(np.zeros(I)), ValueError, r"expected"),
    ("forward-rank-3", "xs of rank 3", lambda s, m: m.forward(np.zeros((2, 3, I))), ValueError, r"expected"),
    ("forward-zero-width", "xs of shape (3, 0)", lambda s, m: m.forward(np.zeros((3, 0))), ValueError, r"expected"),
    ("dtype-complex", "complex x", lambda s, m: m.step(np.zeros(I, dtype=complex)), TypeError, r"real numbers"),
    ("dtype-object", "object xs", lambda s, m: m.forward(np.zeros((2, I), dtype=object)), TypeError, r"real numbers"),
    ("dtype-bool", "boolean x", lambda s, m: m.step(np.ones(I, dtype=bool)), TypeError, r"real numbers"),
    ("dtype-str", "a string as x", lambda s, m: m.step("abcd"), TypeError, r"real numbers"),
    ("none-x", "None as x", lambda s, m: m.step(None), TypeError, r"not None"),
    ("ragged", "a ragged list as xs", lambda s, m: m.forward([[0.0] * I, [0.0]]), TypeError, r"real numbers"),
    ("nan-x", "NaN in x", lambda s, m: m.step([0.0, np.nan, 0.0, 0.0]), ValueError, r"must be finite"),
    ("inf-xs", "+Inf in xs", lambda s, m: m.forward(np.full((2, I), np.inf)), ValueError, r"must be finite"),
    ("neg-inf-h", "-Inf assigned to h", lambda s, m: setattr(m, "h", np.full(H, -np.inf)), ValueError, r"must be finite"),
    ("h-shape", "h assigned the wrong length", lambda s, m: setattr(m, "h", np.zeros(H + 1)), ValueError, r"expected"),
    ("h0-shape", "mismatched h0", lambda s, m: s.RNN(*W, np.zeros(H + 1)), ValueError, r"expected"),
    ("W_hh-not-square", "non-square W_hh", lambda s, m: s.RNN(CASE.W_xh, np.zeros((H, H + 1)), CASE.W_hy), ValueError, r"expected"),
    ("W_xh-rows", "W_xh with the wrong row count", lambda s, m: s.RNN(np.zeros((H + 1, I)), CASE.W_hh, CASE.W_hy), ValueError, r"expected"),
    ("nan-weight", "NaN in W_hy", lambda s, m: s.RNN(CASE.W_xh, CASE.W_hh, np.full((O, H), np.nan)), ValueError, r"must be finite"),
    ("activation", "an unknown activation", lambda s, m: s.RNN(*W, activation="sigmoid"), ValueError, r"expected 'tanh' or 'relu'"),
    ("lr-negative", "a negative learning rate", lambda s, m: s.SGD(-0.1), ValueError, r"learning_rate"),
    ("lr-nan", "a NaN learning rate", lambda s, m: s.Adagrad(float("nan")), ValueError, r"learning_rate"),
    ("lr-zero", "a zero learning rate", lambda s, m: s.Adagrad(0.0), ValueError, r"learning_rate"),
    ("targets-range", "a target outside the vocabulary", lambda s, m: s.bptt(m, CASE.xs, TARGETS + 1), ValueError, r"outside"),
    ("targets-negative", "a negative target", lambda s, m: s.bptt(m, CASE.xs, TARGETS - 1), ValueError, r"outside"),
    ("targets-length", "targets shorter than xs", lambda s, m: s.bptt(m, CASE.xs, TARGETS[:-1]), ValueError, r"shape"),
    ("targets-float", "float targets", lambda s, m: s.bptt(m, CASE.xs, TARGETS.astype(float)), TypeError, r"integers"),
    ("loss-empty", "an empty sequence for the loss", lambda s, m: s.bptt(m, CASE.xs[:0], TARGETS[:0]), ValueError, r"T=0"),
    ("temperature", "a zero sampling temperature", lambda s, m: s.sample(m, 0, [0.5], 0.0), ValueError, r"temperature"),
    ("uniforms-range", "a uniform outside [0, 1)", lambda s, m: s.sample(m, 0, [1.5], 1.0), ValueError, r"\[0, 1\)"),
    ("seed-index", "a seed index outside the vocabulary", lambda s, m: s.sample(m, O, [0.5], 1.0), ValueError, r"outside|seed"),
    ("fortran", "Fortran-ordered xs (accepted)", lambda s, m: m.forward(np.asfortranarray(CASE.xs)), None, "forward"),
    ("strided", "a strided, non-contiguous view (accepted)", lambda s, m: m.forward(np.repeat(CASE.xs, 2, axis=1)[:, ::2]), None, "forward"),
    ("read-only", "read-only xs (accepted, not written)", lambda s, m: m.forward(read_only(CASE.xs)), None, "forward"),
    ("int-dtype", "integer xs (accepted as float64)", lambda s, m: m.forward(np.rint(CASE.xs * 3).astype(np.int32)), None, "forward-int"),
    ("empty-sequence", "xs of shape (0, I) (accepted)", lambda s, m: m.forward(np.zeros((0, I))), None, "forward-empty"),
]


def snapshot(model) -> bytes:
    """The model's state and every parameter, as raw bytes."""
    return b"".join(np.ascontiguousarray(a).tobytes() for a in (model.h, *model.parameters().values()))


def reference(side, kind: str):
    """What an accepted row must equal: the same call on plain C-contiguous float64 input."""
    model = side.RNN(*W)
    model.forward(CASE.xs)
    xs = {"forward": CASE.xs, "forward-int": np.rint(CASE.xs * 3), "forward-empty": np.zeros((0, I))}[kind]
    return model.forward(np.ascontiguousarray(xs, dtype=np.float64))


@pytest.mark.parametrize("side_name", ["numpy", "csharp"])
@pytest.mark.parametrize("case_id, what, call, error, pattern", CASES, ids=[c[0] for c in CASES])
def test_bad_input(side_name, case_id, what, call, error, pattern):
    """Typed error naming what was expected (or, for accepted rows, the plain result); state unchanged."""
    side = sides()[side_name]
    model = side.RNN(*W)
    model.forward(CASE.xs)  # a state that is not h0
    before = snapshot(model)
    if error is None:
        got = call(side, model)
        want = reference(side, pattern)
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), what
        return
    with pytest.raises(error) as caught:
        call(side, model)
    assert type(caught.value) is error, f"{what}: {type(caught.value).__name__}: {caught.value}"
    assert re.search(pattern, str(caught.value)), f"{what}: message {caught.value!s} lacks /{pattern}/"
    assert snapshot(model) == before, f"{what}: the model changed"


def test_there_are_at_least_20_bad_kinds():
    """The matrix holds at least 20 kinds of bad input besides the accepted rows."""
    assert sum(error is not None for *_, error, _ in CASES) >= 20


def test_docs_table_lists_every_case():
    """docs/bad-input.md has one row per case id, in the same order."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "bad-input.md").read_text(encoding="utf-8")
    ids = re.findall(r"^\| `([\w-]+)` \|", doc, flags=re.MULTILINE)
    assert ids == [c[0] for c in CASES]
