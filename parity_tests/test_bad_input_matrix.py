"""The bad-input matrix: every kind of bad input, against the NumPy model and the C# model (bridge).

Each row of ``CASES`` must give the same verdict on both sides: the same Python exception type, a
one-line message matching the row's pattern (which names the Python argument, its NumPy shape or
coordinates, or the rule), and the model's state, initial state and weights byte-for-byte as they
were. ``rejector`` says who refuses the row through the bridge: ``"C#"`` (the C# library, whose
exception the bridge translates; its type's name ends the message, e.g. ``[ShapeMismatchException]``)
or ``"bridge"`` (the bridge's Python half, with the shared NumPy rule of ``rnnport.numerics.checks``, for
what C# cannot be asked: ranks, dtypes, Python types, sizes beyond a .NET int). Rows with no error
are inputs that look unusual but are valid: they must give the same result as the plain input
(``forward*``), construct (``constructed``), or leave the model unchanged (``unchanged``).

The same rows that only touch ``step``, ``forward`` and the state run for the gated cells too, with
rows of their own (construction, ``c``, non-finite results): ``bad_input_cells.py`` (``CELL_CASES``);
for these the bridge's message must also be NumPy's, word for word, the .NET type appended or not.

``BRIDGE_ONLY`` rows are .NET exceptions the bridge translates whose NumPy verdict is not this
matrix's to state (.NET's 2**31 - 1 element limit, which NumPy does not have; the model file, whose
rules ``docs/model-file.md`` gives): they check the bridge's type and message alone.

docs/bad-input.md's tables are generated from these lists with the real messages:
``dotnet/pyhost parity_tests/test_bad_input_matrix.py --write-doc``; ``test_doc_tables_are_the_matrix``
fails when they differ.
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
import pytest

import bad_input_cells as cells
from rnnport import RNN, bptt, dotnet, modelfile, optim, sampling
from rnnport.io.atomic import AtomicWriteError
from rnnport.io.model_file import ModelFileError
from rnnport.training import clipping
from rnnport.training.vocabulary import Vocabulary
from rnnport.verify.cases import make_case

I, H, O = 4, 5, 4
CASE = make_case(I, H, O, 6, seed=66)
TARGETS = np.array([0, 1, 2, 3, 0, 1])
W = (CASE.W_xh, CASE.W_hh, CASE.W_hy)
DOC = Path(__file__).resolve().parents[1] / "docs" / "bad-input.md"


def sides() -> dict[str, SimpleNamespace]:
    return {
        "numpy": SimpleNamespace(RNN=RNN, bptt=bptt.bptt, SGD=optim.SGD, Adagrad=optim.Adagrad, sample=sampling.sample,
                                 clip=clipping.clip_elementwise, save=modelfile.save, load=modelfile.load,
                                 **{name: cell.numpy for name, cell in cells.GATED.items()}),
        "csharp": SimpleNamespace(RNN=dotnet.DotNetRNN, bptt=dotnet.bptt, SGD=dotnet.SGD, Adagrad=dotnet.Adagrad,
                                  sample=dotnet.sample, clip=dotnet.clip_elementwise, save=dotnet.save,
                                  load=dotnet.load_model, **{name: cell.bridge for name, cell in cells.GATED.items()}),
    }


def read_only(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


def with_values(shape, *cells):
    """Zeros of ``shape`` with (index, value) pairs written in: several non-finite values in one array."""
    a = np.zeros(shape)
    for index, value in cells:
        a[index] = value
    return a


def write_into(getter: Callable[[], np.ndarray]) -> None:
    """Write NaN into what a getter returned; a read-only array refusing the write is fine too."""
    try:
        getter()[...] = np.nan
    except ValueError as error:  # "assignment destination is read-only"
        assert "read-only" in str(error)


def clip_with(side, model, limit):
    """Clip the gradients of one BPTT chunk with ``limit``."""
    side.clip(side.bptt(model, CASE.xs, TARGETS).gradients, limit)


# (id, what, call(side, model), error or None when accepted, pattern both messages must match (or, when
# accepted, what the result must be), who rejects through the bridge: "C#" or "bridge")
CASES = [
    ("step-rank-2", "x of rank 2", lambda s, m: m.step(np.zeros((1, I))), ValueError, r"^x has shape \(1, 4\), expected", "bridge"),
    ("step-rank-0", "x of rank 0", lambda s, m: m.step(np.float64(1.0)), ValueError, r"^x has shape \(\), expected", "bridge"),
    ("step-too-short", "x shorter than I", lambda s, m: m.step(np.zeros(I - 1)), ValueError, r"^x has shape \(3,\), expected \(4,\)", "C#"),
    ("step-too-long", "x longer than I", lambda s, m: m.step(np.zeros(I + 1)), ValueError, r"^x has shape \(5,\), expected \(4,\)", "C#"),
    ("step-empty", "x of shape (0,)", lambda s, m: m.step(np.zeros(0)), ValueError, r"^x has shape \(0,\), expected \(4,\)", "C#"),
    ("forward-width", "xs with the wrong axis-1 size", lambda s, m: m.forward(np.zeros((3, I + 2))), ValueError, r"^xs has shape \(3, 6\), expected \(T, 4\)", "C#"),
    ("forward-rank-1", "xs of rank 1", lambda s, m: m.forward(np.zeros(I)), ValueError, r"^xs has shape \(4,\), expected \(T, 4\)", "bridge"),
    ("forward-rank-3", "xs of rank 3", lambda s, m: m.forward(np.zeros((2, 3, I))), ValueError, r"^xs has shape \(2, 3, 4\), expected \(T, 4\)", "bridge"),
    ("batch-rank-2", "forward_batch xs of rank 2", lambda s, m: m.forward_batch(np.zeros((3, I))), ValueError, r"^xs has shape \(3, 4\), expected \(B, T, 4\)$", "bridge"),
    ("batch-width", "forward_batch xs with the wrong last axis", lambda s, m: m.forward_batch(np.zeros((2, 3, I + 1))), ValueError, r"^xs has shape \(2, 3, 5\), expected \(B, T, 4\)$", "bridge"),
    ("batch-nan", "NaN in forward_batch xs: named by its three indices", lambda s, m: m.forward_batch(with_values((2, 3, I), ((1, 2, 0), np.nan))), ValueError, r"^xs must be finite, but element \(1, 2, 0\) is nan$", "bridge"),
    ("batch-complex", "complex forward_batch xs", lambda s, m: m.forward_batch(np.zeros((2, 3, I), dtype=complex)), TypeError, r"^xs must be an array of real numbers", "bridge"),
    ("forward-zero-width", "xs of shape (3, 0)", lambda s, m: m.forward(np.zeros((3, 0))), ValueError, r"^xs has shape \(3, 0\), expected \(T, 4\)", "C#"),
    ("forward-huge-zero-width", "xs of shape (0, 2**31): no .NET int holds the width", lambda s, m: m.forward(np.zeros((0, 2**31))), ValueError, r"^xs has shape \(0, 2147483648\), expected \(T, 4\)", "bridge"),
    ("dtype-complex", "complex x", lambda s, m: m.step(np.zeros(I, dtype=complex)), TypeError, r"^x must be an array of real numbers", "bridge"),
    ("dtype-object", "object xs", lambda s, m: m.forward(np.zeros((2, I), dtype=object)), TypeError, r"^xs must be an array of real numbers", "bridge"),
    ("dtype-bool", "boolean x", lambda s, m: m.step(np.ones(I, dtype=bool)), TypeError, r"^x must be an array of real numbers", "bridge"),
    ("dtype-str", "a string as x", lambda s, m: m.step("abcd"), TypeError, r"^x must be an array of real numbers", "bridge"),
    ("none-x", "None as x", lambda s, m: m.step(None), TypeError, r"^x must be an array of real numbers, not None", "bridge"),
    ("ragged", "a ragged list as xs", lambda s, m: m.forward([[0.0] * I, [0.0]]), TypeError, r"^xs must be an array of real numbers", "bridge"),
    ("nan-x", "NaN in x", lambda s, m: m.step([0.0, np.nan, 0.0, 0.0]), ValueError, r"^x must be finite, but element \(1,\) is nan", "C#"),
    ("inf-xs", "+Inf in xs", lambda s, m: m.forward(np.full((2, I), np.inf)), ValueError, r"^xs must be finite, but element \(0, 0\) is inf", "C#"),
    ("two-non-finite-xs", "NaN at xs[1, 0] and +Inf at xs[0, 3]: the first in C order", lambda s, m: m.forward(with_values((3, I), ((1, 0), np.nan), ((0, 3), np.inf))), ValueError, r"^xs must be finite, but element \(0, 3\) is inf", "C#"),
    ("neg-inf-h", "-Inf assigned to h", lambda s, m: setattr(m, "h", np.full(H, -np.inf)), ValueError, r"^h must be finite, but element \(0,\) is -inf", "C#"),
    ("h-shape", "h assigned the wrong length", lambda s, m: setattr(m, "h", np.zeros(H + 1)), ValueError, r"^h has shape \(6,\), expected \(5,\)", "C#"),
    ("h-write", "NaN written into what m.h returned (a copy)", lambda s, m: write_into(lambda: m.h), None, "unchanged", "bridge"),
    ("h0-write", "NaN written into what m.h0 returned (NumPy: read-only; bridge: a copy)", lambda s, m: write_into(lambda: m.h0), None, "unchanged", "bridge"),
    ("W_xh-write", "NaN written into what m.W_xh returned (NumPy: read-only; bridge: a copy)", lambda s, m: write_into(lambda: m.W_xh), None, "unchanged", "bridge"),
    ("b_h-write", "NaN written into what m.b_h returned (NumPy: read-only; bridge: a copy)", lambda s, m: write_into(lambda: m.b_h), None, "unchanged", "bridge"),
    ("h0-shape", "mismatched h0", lambda s, m: s.RNN(*W, np.zeros(H + 1)), ValueError, r"^h0 has shape \(6,\), expected \(5,\)", "C#"),
    ("W_hh-not-square", "non-square W_hh", lambda s, m: s.RNN(CASE.W_xh, np.zeros((H, H + 1)), CASE.W_hy), ValueError, r"^W_hh has shape \(5, 6\), expected \(5, 5\)", "C#"),
    ("W_xh-rows", "W_xh with the wrong row count", lambda s, m: s.RNN(np.zeros((H + 1, I)), CASE.W_hh, CASE.W_hy), ValueError, r"^W_xh has shape \(6, 4\), expected \(5, I\)", "C#"),
    ("W_hy-columns", "W_hy with the wrong column count", lambda s, m: s.RNN(CASE.W_xh, CASE.W_hh, np.zeros((O, H + 1))), ValueError, r"^W_hy has shape \(4, 6\), expected \((O|4), 5\)", "C#"),
    ("W_xh-rank-1", "W_xh of rank 1", lambda s, m: s.RNN(np.zeros(H), CASE.W_hh, CASE.W_hy), ValueError, r"^W_xh has shape \(5,\), expected", "bridge"),
    ("nan-weight", "NaN in W_hy", lambda s, m: s.RNN(CASE.W_xh, CASE.W_hh, np.full((O, H), np.nan)), ValueError, r"^W_hy must be finite, but element \(0, 0\) is nan", "C#"),
    ("two-non-finite-W_xh", "NaN at W_xh[1, 0] and +Inf at W_xh[0, 2]: the first in C order", lambda s, m: s.RNN(with_values((H, I), ((1, 0), np.nan), ((0, 2), np.inf)), CASE.W_hh, CASE.W_hy), ValueError, r"^W_xh must be finite, but element \(0, 2\) is inf", "C#"),
    ("two-non-finite-W_hh", "-Inf at W_hh[2, 1] and NaN at W_hh[3, 0]: the first in C order", lambda s, m: s.RNN(CASE.W_xh, with_values((H, H), ((2, 1), -np.inf), ((3, 0), np.nan)), CASE.W_hy), ValueError, r"^W_hh must be finite, but element \(2, 1\) is -inf", "C#"),
    ("activation", "an unknown activation", lambda s, m: s.RNN(*W, activation="sigmoid"), ValueError, r"unknown activation 'sigmoid': expected 'tanh' or 'relu'", "C#"),
    ("activation-surrogate", "activation \"\\ud800\" (no .NET string holds a lone surrogate)", lambda s, m: s.RNN(*W, activation="\ud800"), ValueError, r"^unknown activation '\\ud800': expected 'tanh' or 'relu'", "bridge"),
    ("activation-int", "activation=3", lambda s, m: s.RNN(*W, activation=3), ValueError, r"^unknown activation 3: expected 'tanh' or 'relu'", "bridge"),
    ("lr-negative", "a negative learning rate", lambda s, m: s.SGD(-0.1), ValueError, r"^learning_rate must be finite and > 0, got -0\.1", "C#"),
    ("lr-nan", "a NaN learning rate", lambda s, m: s.Adagrad(float("nan")), ValueError, r"^learning_rate must be finite and > 0, got (nan|NaN)", "C#"),
    ("lr-zero", "a zero learning rate", lambda s, m: s.Adagrad(0.0), ValueError, r"^learning_rate must be finite and > 0, got 0", "C#"),
    ("lr-bool", "learning rate True", lambda s, m: s.SGD(True), TypeError, r"^learning_rate must be a real number, got bool", "bridge"),
    ("lr-str", "learning rate \"0.1\"", lambda s, m: s.SGD("0.1"), TypeError, r"^learning_rate must be a real number, got str", "bridge"),
    ("lr-array", "learning rate np.array(0.1) (0-d)", lambda s, m: s.Adagrad(np.array(0.1)), TypeError, r"^learning_rate must be a real number, got ndarray", "bridge"),
    ("lr-float32", "learning rate np.float32(0.1) (accepted)", lambda s, m: s.SGD(np.float32(0.1)), None, "constructed", "C#"),
    ("lr-int", "learning rate 1, an int (accepted)", lambda s, m: s.Adagrad(1), None, "constructed", "C#"),
    ("eps-str", "Adagrad eps \"1e-8\"", lambda s, m: s.Adagrad(0.1, "1e-8"), TypeError, r"^eps must be a real number, got str", "bridge"),
    ("eps-negative", "a negative Adagrad eps", lambda s, m: s.Adagrad(0.1, -1.0), ValueError, r"eps", "C#"),
    ("clip-str", "clip limit \"5\"", lambda s, m: clip_with(s, m, "5"), TypeError, r"^limit must be a real number, got str", "bridge"),
    ("clip-zero", "clip limit 0", lambda s, m: clip_with(s, m, 0), ValueError, r"limit must be > 0", "C#"),
    ("targets-range", "a target outside the vocabulary", lambda s, m: s.bptt(m, CASE.xs, TARGETS + 1), ValueError, r"^targets\[3\] = 4 is outside the vocabulary \[0, 4\)", "C#"),
    ("targets-negative", "a negative target", lambda s, m: s.bptt(m, CASE.xs, TARGETS - 1), ValueError, r"^targets\[0\] = -1 is outside the vocabulary \[0, 4\)", "C#"),
    ("targets-length", "targets shorter than xs", lambda s, m: s.bptt(m, CASE.xs, TARGETS[:-1]), ValueError, r"^targets has shape \(5,\), expected \(6,\)", "C#"),
    ("targets-column", "targets of shape (6, 1)", lambda s, m: s.bptt(m, CASE.xs, TARGETS[:, None]), ValueError, r"^targets has shape \(6, 1\), expected \(6,\)", "bridge"),
    ("targets-matrix", "targets of shape (2, 3)", lambda s, m: s.bptt(m, CASE.xs, TARGETS.reshape(2, 3)), ValueError, r"^targets has shape \(2, 3\), expected \(6,\)", "bridge"),
    ("targets-0d", "a 0-d target", lambda s, m: s.bptt(m, CASE.xs, np.int64(1)), ValueError, r"^targets has shape \(\), expected \(6,\)", "bridge"),
    ("targets-huge", "a target of 2**40: no .NET int holds it", lambda s, m: s.bptt(m, CASE.xs, np.where(TARGETS == 2, 2**40, TARGETS)), ValueError, r"^targets\[2\] = 1099511627776 is outside the vocabulary \[0, 4\)", "bridge"),
    ("targets-float", "float targets", lambda s, m: s.bptt(m, CASE.xs, TARGETS.astype(float)), TypeError, r"^targets must be integers, got dtype float64", "bridge"),
    ("loss-empty", "an empty sequence for the loss", lambda s, m: s.bptt(m, CASE.xs[:0], TARGETS[:0]), ValueError, r"^the loss needs a sequence of at least one step, got T=0", "C#"),
    ("temperature", "a zero sampling temperature", lambda s, m: s.sample(m, 0, [0.5], 0.0), ValueError, r"^temperature must be finite and > 0, got 0", "C#"),
    ("temperature-bool", "sampling temperature True", lambda s, m: s.sample(m, 0, [0.5], True), TypeError, r"^temperature must be a real number, got bool", "bridge"),
    ("uniforms-range", "a uniform outside [0, 1)", lambda s, m: s.sample(m, 0, [1.5], 1.0), ValueError, r"^uniforms must lie in \[0, 1\)", "C#"),
    ("seed-index", "a seed index outside the vocabulary", lambda s, m: s.sample(m, O, [0.5], 1.0), ValueError, r"^seed index 4 is outside the vocabulary \[0, 4\)", "C#"),
    ("seed-huge", "seed index 2**70: no .NET int holds it", lambda s, m: s.sample(m, 2**70, [0.5], 1.0), ValueError, r"^seed index 1180591620717411303424 is outside the vocabulary \[0, 4\)", "bridge"),
    ("seed-bool", "seed index True", lambda s, m: s.sample(m, True, [0.5], 1.0), TypeError, r"^seed_index must be an integer, got bool", "bridge"),
    ("seed-float", "seed index 1.5", lambda s, m: s.sample(m, 1.5, [0.5], 1.0), TypeError, r"^seed_index must be an integer, got float", "bridge"),
    # The model file's writer and reader rules (docs/model-file.md): the same verdict from both writers
    # and both readers; the conformance corpus (test_model_file_corpus.py) covers every reader rule.
    ("save-nan-hyperparameters", "save with a NaN hyper-parameter (JSON has no NaN; rule D4)",
     lambda s, m: s.save(_scratch() / "model.npz", m, None, {"clip": float("nan")}), ValueError,
     r"^hyperparameters\['clip'\] = nan is not finite", "bridge"),
    ("save-inf-hyperparameters", "save with clip = inf, as `train --clip inf` did (rule D4)",
     lambda s, m: s.save(_scratch() / "model.npz", m, None, {"clip": float("inf")}), ValueError,
     r"^hyperparameters\['clip'\] = inf is not finite", "bridge"),
    ("save-repeated-character", "save with the vocabulary \"aabc\" (rule V2)",
     lambda s, m: s.save(_scratch() / "model.npz", m, Vocabulary("aabc")), ValueError,
     r"'a' \(U\+0061\) appears twice", "C#"),
    ("save-surrogate-vocabulary", "save with the vocabulary \"\\ud800bcd\" (a lone surrogate; rule V1)",
     lambda s, m: s.save(_scratch() / "model.npz", m, Vocabulary("\ud800bcd")), ValueError,
     r"^vocabulary\[0\] .*U\+D800", "C#"),
    ("save-vocabulary-size", "save with 3 characters for I = O = 4 (rule V3)",
     lambda s, m: s.save(_scratch() / "model.npz", m, Vocabulary("abc")), ValueError,
     r"^vocabulary has 3 characters; a character model needs V = I = O", "C#"),
    ("save-missing-directory", "save into a directory that does not exist",
     lambda s, m: s.save(_scratch() / "missing" / "model.npz", m), AtomicWriteError,
     r"^cannot write '.*/missing/model\.npz': no such directory", "C#"),
    ("load-missing", "load a file that does not exist (rule F1)",
     lambda s, m: s.load(_scratch() / "missing.npz"), ModelFileError,
     r"missing\.npz': No such file or directory \[F1\]", "C#"),
    ("load-device", "load /dev/zero, which never ends (rule F1)",
     lambda s, m: s.load("/dev/zero"), ModelFileError, r"^'/dev/zero' is not a regular file .*\[F1\]", "C#"),
    ("load-directory", "load a directory (rule F1)",
     lambda s, m: s.load(_scratch()), ModelFileError, r"is a directory \[F1\]", "C#"),
    ("fortran", "Fortran-ordered xs (accepted)", lambda s, m: m.forward(np.asfortranarray(CASE.xs)), None, "forward", "C#"),
    ("strided", "a strided, non-contiguous view (accepted)", lambda s, m: m.forward(np.repeat(CASE.xs, 2, axis=1)[:, ::2]), None, "forward", "C#"),
    ("read-only", "read-only xs (accepted, not written)", lambda s, m: m.forward(read_only(CASE.xs)), None, "forward", "C#"),
    ("int-dtype", "integer xs (accepted as float64)", lambda s, m: m.forward(np.rint(CASE.xs * 3).astype(np.int32)), None, "forward-int", "C#"),
    ("empty-sequence", "xs of shape (0, I) (accepted)", lambda s, m: m.forward(np.zeros((0, I))), None, "forward-empty", "C#"),
]

# (id, what, call(scratch directory, model), error, pattern) for the bridge alone (see the module docstring).
BRIDGE_ONLY = [
    ("W_xh-huge-zero", "W_xh of shape (0, 2**31), H = 0: NumPy accepts it, no .NET int holds I",
     lambda d, m: dotnet.DotNetRNN(np.zeros((0, 2**31)), np.zeros((0, 0)), np.zeros((O, 0))), OverflowError,
     r"^W_xh has shape \(0, 2147483648\): a \.NET matrix holds at most 2\*\*31 - 1"),
    ("W_xh-2**31-elements", "W_xh (a broadcast view) of 2**15 × 2**16 = 2**31 elements, one past .NET's limit",
     lambda d, m: dotnet.DotNetRNN(np.broadcast_to(0.0, (2**15, 2**16)), np.zeros((2**15, 2**15)), np.zeros((O, 2**15))),
     OverflowError, r"^W_xh has shape \(32768, 65536\): a \.NET matrix holds at most 2\*\*31 - 1"),
    ("save-surrogate-path", "save to a file name that is not UTF-8 (a lone surrogate in Python)",
     lambda d, m: dotnet.save(d / "bad\udcff.npz", m), ValueError, r"not a valid Unicode path"),
    ("load-surrogate-path", "load a file name that is not UTF-8 (a lone surrogate in Python)",
     lambda d, m: dotnet.load_model(d / "bad\udcff.npz"), ModelFileError, r"not a valid Unicode path"),

]


def _scratch() -> Path:
    """A new empty directory for a row that writes or reads a file."""
    return Path(tempfile.mkdtemp(prefix="rnnport-bad-input-"))


def snapshot(model) -> bytes:
    """The model's state, initial state (the LSTM's c and c0 too) and every parameter, as raw bytes."""
    states = (model.h, model.h0, *((model.c, model.c0) if hasattr(model, "c") else ()))
    return b"".join(np.ascontiguousarray(a).tobytes() for a in (*states, *model.parameters().values()))


def new_model(side, cell: str, unchanged: bool = False):
    """The row's model: the RNN of ``W`` (with a b_h for ``unchanged`` rows, whose getters it writes
    into), or a gated cell with every argument given."""
    if cell != "RNN":
        return cells.make(side, cell)
    return side.RNN(*W, b_h=np.zeros(H)) if unchanged else side.RNN(*W)


def reference(side, kind: str, cell: str = "RNN"):
    """What an accepted row must equal: the same call on plain C-contiguous float64 input."""
    model = new_model(side, cell)
    model.forward(CASE.xs)
    xs = {"forward": CASE.xs, "forward-int": np.rint(CASE.xs * 3), "forward-empty": np.zeros((0, I))}[kind]
    return model.forward(np.ascontiguousarray(xs, dtype=np.float64))


def verdict(side_name: str, case: tuple, side: SimpleNamespace | None = None, cell: str = "RNN") -> tuple[str, str]:
    """Run one row on one side: ("accepted", what was checked) or (error type name, message).

    Checks that hold for every row on either side are asserted here: the model is unchanged by a
    rejected call (and by an ``unchanged`` row), an accepted row gives its expected result.
    """
    case_id, what, call, error, pattern, _ = case
    side = side or sides()[side_name]
    model = new_model(side, cell, pattern == "unchanged")
    model.forward(CASE.xs)  # a state that is not h0
    before = snapshot(model)
    try:
        got = call(side, model)
    except Exception as raised:  # noqa: BLE001 - every error is the verdict
        assert snapshot(model) == before, f"{case_id} ({side_name}): the model changed"
        return type(raised).__name__, str(raised)
    if pattern.startswith("forward"):
        want = reference(side, pattern, cell)
        assert all(np.array_equal(g, w) for g, w in zip(got, want)), f"{case_id} ({side_name}): {what}"
        return "accepted", "same result as C-contiguous float64"
    if pattern == "unchanged":
        assert snapshot(model) == before, f"{case_id} ({side_name}): the model changed"
        return "accepted", "the model is unchanged"
    assert pattern == "constructed" and got is not None
    return "accepted", "constructed"


def check_row(case: tuple, numpy: tuple[str, str], csharp: tuple[str, str]) -> None:
    """The parity rule of one row: both sides give the row's verdict, and the bridge's rejector is the row's."""
    case_id, _, _, error, pattern, rejector = case
    expected = "accepted" if error is None else error.__name__
    for side, (kind, message) in (("numpy", numpy), ("csharp", csharp)):
        assert kind == expected, f"{case_id} ({side}): {kind}: {message}, expected {expected}"
        assert "\n" not in message, f"{case_id} ({side}): message on more than one line: {message!r}"
        if error is not None:
            assert re.search(pattern, message), f"{case_id} ({side}): {message!r} does not match /{pattern}/"
    if error is not None:
        tagged = re.search(r" \[\w+Exception\]$", csharp[1]) is not None
        assert tagged == (rejector == "C#"), f"{case_id}: the bridge's rejector is not {rejector}: {csharp[1]!r}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case):
    """Same verdict from NumPy and from the C# model through the bridge; neither model changes."""
    check_row(case, verdict("numpy", case), verdict("csharp", case))


CELL_CASES = [(cell, case) for cell in cells.GATED
              for case in [c for c in CASES if c[0] in cells.SHARED_IDS] + cells.cell_cases(cell)]


def check_cell_row(case: tuple, numpy: tuple[str, str], csharp: tuple[str, str]) -> None:
    """``check_row``, and the bridge's message is NumPy's word for word (the .NET type appended or not)."""
    check_row(case, numpy, csharp)
    exempt = case[3] is None or case[0].endswith(tuple(cells.WORDING_DIFFERS))
    assert exempt or cells.same_message(numpy[1], csharp[1]), f"{case[0]}: {numpy[1]!r} != {csharp[1]!r}"


@pytest.mark.parametrize("cell, case", CELL_CASES, ids=[f"{cell}:{case[0]}" for cell, case in CELL_CASES])
def test_bad_input_gated(cell, case):
    """The shared rows and the cell's own rows, against the gated cell in NumPy and through the bridge."""
    check_cell_row(case, verdict("numpy", case, cell=cell), verdict("csharp", case, cell=cell))


def test_a_gated_row_fails_when_the_messages_differ_or_c_changes():
    """Negative controls for the gated rows: another message fails; an LSTM whose c is live memory fails c-write."""
    case = next(case for cell, case in CELL_CASES if case[0] == "LSTM-b_hh-nan")
    numpy = verdict("numpy", case, cell="LSTM")
    check_cell_row(case, numpy, (numpy[0], numpy[1] + " [NonFiniteValueException]"))
    with pytest.raises(AssertionError):
        check_cell_row(case, numpy, (numpy[0], "b_hh must be finite, but element (0,) is NaN [NonFiniteValueException]"))

    class LiveCell(cells.GATED["LSTM"].numpy):
        c = property(lambda self: self._c, cells.GATED["LSTM"].numpy.c.fset)

    live = SimpleNamespace(**vars(sides()["numpy"]))
    live.LSTM = LiveCell
    with pytest.raises(AssertionError, match="the model changed"):
        verdict("numpy", next(case for _, case in CELL_CASES if case[0] == "LSTM-c-write"), live, cell="LSTM")


@pytest.mark.parametrize("case", BRIDGE_ONLY, ids=[c[0] for c in BRIDGE_ONLY])
def test_bridge_only(tmp_path, case):
    """The bridge's type and one-line message for .NET exceptions with no NumPy row."""
    case_id, _, call, error, pattern = case
    model = dotnet.DotNetRNN(*W)
    with pytest.raises(Exception) as caught:
        call(tmp_path, model)
    assert type(caught.value) is error, f"{case_id}: {type(caught.value).__name__}: {caught.value}"
    assert "\n" not in str(caught.value) and re.search(pattern, str(caught.value)), caught.value


def test_a_row_fails_when_the_sides_differ():
    """Negative controls for ``check_row``: another type, another message, or the wrong rejector fail."""
    case = next(c for c in CASES if c[0] == "W_xh-rows")
    numpy, csharp = verdict("numpy", case), verdict("csharp", case)
    check_row(case, numpy, csharp)
    for bad in [("TypeError", csharp[1]),                                   # another type
                ("ValueError", "initialInputWeights has shape 4×6, expected T×5 [ShapeMismatchException]"),
                ("ValueError", numpy[1]),                                   # not rejected by C#
                ("ValueError", csharp[1] + "\nActual value was 6.")]:       # two lines
        with pytest.raises(AssertionError):
            check_row(case, numpy, bad)
    with pytest.raises(AssertionError):
        check_row(next(c for c in CASES if c[0] == "lr-float32"), ("accepted", ""), ("TypeError", "no"))


def test_an_unchanged_row_fails_when_a_getter_hands_out_live_memory():
    """Negative control for the ``unchanged`` rows: an RNN whose ``h`` is the live array fails ``h-write``."""
    class LiveState(RNN):
        h = property(lambda self: self._h, RNN.h.fset)

    live = SimpleNamespace(**vars(sides()["numpy"]))
    live.RNN = LiveState
    with pytest.raises(AssertionError, match="the model changed"):
        verdict("numpy", next(c for c in CASES if c[0] == "h-write"), live)


def test_there_are_at_least_20_bad_kinds():
    """The matrix holds at least 20 kinds of bad input besides the accepted rows."""
    assert sum(error is not None for *_, error, _, _ in CASES) >= 20


def _scratch_shown(message: str) -> str:
    """A message with the random scratch directory of a file row shown as "…"."""
    return re.sub(r"/[^'\s]*rnnport-bad-input-[^/'\s]+", "…", message)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_tables() -> str:
    """docs/bad-input.md's three tables (the RNN, the gated cells, the bridge alone), with today's messages."""
    lines = ["| id | input | NumPy `rnnport.RNN` | C# `RnnPort.RNN` through the bridge | bridge rejects in |",
             "|---|---|---|---|---|"]
    for case in CASES:
        numpy, csharp = verdict("numpy", case), verdict("csharp", case)
        shown = [f"`{kind}`: {_scratch_shown(message)}" if kind != "accepted" else f"accepted, {message}"
                 for kind, message in (numpy, csharp)]
        where = "—" if case[3] is None else case[5]
        lines.append(f"| `{case[0]}` | {_cell(case[1])} | {_cell(shown[0])} | {_cell(shown[1])} | {where} |")
    lines += ["", "| cell | id | input | NumPy | C# through the bridge | bridge rejects in |", "|---|---|---|---|---|---|"]
    for cell, case in CELL_CASES:
        shown = [f"`{kind}`: {message}" if kind != "accepted" else f"accepted, {message}"
                 for kind, message in (verdict("numpy", case, cell=cell), verdict("csharp", case, cell=cell))]
        where = "—" if case[3] is None else case[5]
        lines.append(f"| {cell} | `{case[0]}` | {_cell(case[1])} | {_cell(shown[0])} | {_cell(shown[1])} | {where} |")
    lines += ["", "| id | input | the bridge |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as scratch:
        for case_id, what, call, _, _ in BRIDGE_ONLY:
            try:
                call(Path(scratch), dotnet.DotNetRNN(*W))
                shown = "accepted"
            except Exception as raised:  # noqa: BLE001
                shown = f"`{type(raised).__name__}`: {str(raised).replace(scratch, '…')}"
            lines.append(f"| `{case_id}` | {_cell(what)} | {_cell(shown)} |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- matrix: generated by parity_tests/test_bad_input_matrix.py --write-doc -->\n", "<!-- matrix end -->\n"


def test_doc_tables_are_the_matrix():
    """docs/bad-input.md holds exactly the generated tables: every row, in order, with today's messages."""
    doc = DOC.read_text(encoding="utf-8")
    assert BEGIN in doc and END in doc, "docs/bad-input.md lacks the matrix markers"
    shown = doc.split(BEGIN, 1)[1].split(END, 1)[0]
    assert shown == render_tables(), "regenerate: dotnet/pyhost parity_tests/test_bad_input_matrix.py --write-doc"


def main(argv: list[str]) -> int:
    if argv != ["--write-doc"]:
        print("usage: dotnet/pyhost parity_tests/test_bad_input_matrix.py --write-doc", file=sys.stderr)
        return 2
    doc = DOC.read_text(encoding="utf-8")
    head, rest = doc.split(BEGIN, 1)
    DOC.write_text(head + BEGIN + render_tables() + END + rest.split(END, 1)[1], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
