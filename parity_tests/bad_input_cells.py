"""The gated cells' rows of the bad-input matrix (``test_bad_input_matrix.py``): one registry, one list.

``GATED`` names each gated cell's NumPy class and bridge twin and its gate count G (W_ih is (G·H, I)).
``SHARED_IDS`` are the rows of the matrix's ``CASES`` that only touch ``step``, ``forward`` and the
state: they run unchanged against every gated cell. ``cell_cases(cell)`` adds the rows that name the
cell's own arguments (construction, ``c`` and ``c0`` for the LSTM, non-finite results), in the
matrix's row format ``(id, what, call(side, model), error, pattern, rejector)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.lstm import DotNetLSTM

I, H, O = 4, 5, 4


@dataclass(frozen=True)
class Gated:
    """One gated cell: its classes in each language, G gates, and whether it has a cell state c."""

    numpy: type
    bridge: type
    gates: int
    cell_state: bool


GATED: dict[str, Gated] = {
    "LSTM": Gated(LSTM, DotNetLSTM, 4, True),
    "GRU": Gated(GRU, DotNetGRU, 3, False),
}

SHARED_IDS = ["step-rank-2", "step-rank-0", "step-too-short", "step-too-long", "step-empty", "forward-width",
              "forward-rank-1", "forward-rank-3",
              "batch-rank-2", "batch-width", "batch-nan", "batch-complex", "forward-zero-width", "forward-huge-zero-width", "dtype-complex",
              "dtype-object", "dtype-bool", "dtype-str", "none-x", "ragged", "nan-x", "inf-xs", "two-non-finite-xs",
              "neg-inf-h", "h-shape", "h-write", "h0-write", "fortran", "strided", "read-only", "int-dtype",
              "empty-sequence"]


def arguments(cell: str) -> dict[str, np.ndarray]:
    """The cell's keyword arguments at I, H, O = 4, 5, 4: weights, both biases, b_y and h0 (c0 for the LSTM)."""
    G = GATED[cell].gates * H
    rng = np.random.default_rng(66)
    args = {"W_ih": rng.uniform(-0.5, 0.5, (G, I)), "W_hh": rng.uniform(-0.5, 0.5, (G, H)),
            "W_hy": rng.uniform(-0.5, 0.5, (O, H)), "b_ih": rng.uniform(-0.1, 0.1, G),
            "b_hh": rng.uniform(-0.1, 0.1, G), "b_y": rng.uniform(-0.1, 0.1, O), "h0": rng.uniform(-0.5, 0.5, H)}
    if GATED[cell].cell_state:
        args["c0"] = rng.uniform(-0.5, 0.5, H)
    return args


def make(side: Any, cell: str, **changes: Any) -> Any:
    """The cell on ``side`` (``side.LSTM`` …) with ``arguments(cell)`` and ``changes``."""
    return getattr(side, cell)(**{**arguments(cell), **changes})


def _write_into(model: Any, name: str) -> None:
    """Write NaN into what a getter returned; a read-only array refusing the write is fine too."""
    try:
        getattr(model, name)[...] = np.nan
    except ValueError as error:
        assert "read-only" in str(error)


def _nan_state(side: Any, cell: str) -> Any:
    """A cell whose gate pre-activation is +inf (from x) plus −inf (from h): NaN, refused as a result."""
    G = GATED[cell].gates
    state = {"c0": [0.0]} if GATED[cell].cell_state else {}
    return getattr(side, cell)(W_ih=np.full((G, 1), 1e308), W_hh=np.full((G, 1), -1e308), W_hy=np.ones((1, 1)),
                               h0=[10.0], **state).step([10.0])


def _big_output(side: Any, cell: str) -> Any:
    """A cell whose output W_hy h overflows (gates saturated by b_ih, h near 1): +inf, refused as a result."""
    G = GATED[cell].gates * 2
    state = {"c0": [1.0, 1.0]} if GATED[cell].cell_state else {}
    return getattr(side, cell)(W_ih=np.zeros((G, 1)), W_hh=np.zeros((G, 2)), W_hy=np.full((1, 2), 1e308),
                               b_ih=np.full(G, 10.0), h0=[1.0, 1.0], **state).forward([[0.0]])


def cell_cases(cell: str) -> list[tuple]:
    """The rows that name the cell's own arguments, G = gates · H rows in W_ih, W_hh and the biases."""
    G = GATED[cell].gates * H
    g = GATED[cell].gates
    rows = [
        (f"{cell}-W_hh-rows", f"W_hh with {G - 1} rows", lambda s, m: make(s, cell, W_hh=np.zeros((G - 1, H))),
         ValueError, rf"^W_hh has shape \({G - 1}, 5\), expected \({G}, 5\)", "C#"),
        (f"{cell}-W_hh-rank-1", "W_hh of rank 1", lambda s, m: make(s, cell, W_hh=np.zeros(G)),
         ValueError, rf"^W_hh has shape \({G},\), expected \({g}H, H\)", "bridge"),
        (f"{cell}-W_ih-rows", f"W_ih with {G + 1} rows", lambda s, m: make(s, cell, W_ih=np.zeros((G + 1, I))),
         ValueError, rf"^W_ih has shape \({G + 1}, 4\), expected \({G}, I\)", "C#"),
        (f"{cell}-W_hy-columns", "W_hy with H + 1 columns", lambda s, m: make(s, cell, W_hy=np.zeros((O, H + 1))),
         ValueError, r"^W_hy has shape \(4, 6\), expected \((O|4), 5\)", "C#"),
        (f"{cell}-h0-shape", "mismatched h0", lambda s, m: make(s, cell, h0=np.zeros(H + 1)),
         ValueError, r"^h0 has shape \(6,\), expected \(5,\)", "C#"),
        (f"{cell}-b_ih-shape", f"b_ih of {G - 1} elements", lambda s, m: make(s, cell, b_ih=np.zeros(G - 1)),
         ValueError, rf"^b_ih has shape \({G - 1},\), expected \({G},\)", "C#"),
        (f"{cell}-b_hh-shape", f"b_hh of {G + 1} elements", lambda s, m: make(s, cell, b_hh=np.zeros(G + 1)),
         ValueError, rf"^b_hh has shape \({G + 1},\), expected \({G},\)", "C#"),
        (f"{cell}-b_y-shape", "b_y of O + 1 elements", lambda s, m: make(s, cell, b_y=np.zeros(O + 1)),
         ValueError, r"^b_y has shape \(5,\), expected \(4,\)", "C#"),
        (f"{cell}-b_hh-nan", "NaN in b_hh", lambda s, m: make(s, cell, b_hh=np.full(G, np.nan)),
         ValueError, r"^b_hh must be finite, but element \(0,\) is nan", "C#"),
        (f"{cell}-W_hh-nan", "NaN at W_hh[3, 0] and at W_hh[4, 1]: the first in C order",
         lambda s, m: make(s, cell, W_hh=np.where(np.eye(G, H, -3) > 0, np.nan, 0.1)),
         ValueError, r"^W_hh must be finite, but element \(3, 0\) is nan", "C#"),
        (f"{cell}-W_ih-complex", "complex W_ih", lambda s, m: make(s, cell, W_ih=np.ones((G, I), dtype=complex)),
         TypeError, r"^W_ih must be an array of real numbers, got dtype complex128", "bridge"),
        (f"{cell}-nan-state", "a NaN gate pre-activation (+inf from x, −inf from h)",
         lambda s, m: _nan_state(s, cell), FloatingPointError, r"the state", "C#"),
        (f"{cell}-big-output", "an output W_hy h that overflows",
         lambda s, m: _big_output(s, cell), FloatingPointError, r"the output", "C#"),
    ]
    rows += [(f"{cell}-{name}-write", f"NaN written into what m.{name} returned", lambda s, m, name=name: _write_into(m, name),
              None, "unchanged", "bridge") for name in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")]
    if GATED[cell].cell_state:
        rows += [
            (f"{cell}-c0-shape", "mismatched c0", lambda s, m: make(s, cell, c0=np.zeros(H - 1)),
             ValueError, r"^c0 has shape \(4,\), expected \(5,\)", "C#"),
            (f"{cell}-c0-inf", "+Inf in c0", lambda s, m: make(s, cell, c0=[0.0, np.inf, 0.0, 0.0, 0.0]),
             ValueError, r"^c0 must be finite, but element \(1,\) is inf", "C#"),
            (f"{cell}-c-shape", "c assigned the wrong length", lambda s, m: setattr(m, "c", np.zeros(H + 1)),
             ValueError, r"^c has shape \(6,\), expected \(5,\)", "C#"),
            (f"{cell}-c-inf", "-Inf assigned to c", lambda s, m: setattr(m, "c", [0.0, -np.inf, 0, 0, 0]),
             ValueError, r"^c must be finite, but element \(1,\) is -inf", "C#"),
            (f"{cell}-c-write", "NaN written into what m.c returned (a copy)", lambda s, m: _write_into(m, "c"),
             None, "unchanged", "bridge"),
            (f"{cell}-c0-write", "NaN written into what m.c0 returned", lambda s, m: _write_into(m, "c0"),
             None, "unchanged", "bridge"),
        ]
    return rows


# Rows whose two messages may differ in wording (both still match the row's pattern): NumPy reads O off
# W_hy itself and says "expected (O, 5)"; C# was given O and says "(4, 5)". The RNN's row does the same.
WORDING_DIFFERS = {"W_hy-columns"}


def same_message(numpy: str, csharp: str) -> bool:
    """The bridge's message is NumPy's, with the refusing .NET type in brackets appended or not."""
    return re.fullmatch(re.escape(numpy) + r"( \[\w+\])?", csharp) is not None
