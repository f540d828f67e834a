"""Which arrays each cell stores in a model file: rules M1 and M4 of ``docs/model-file.md``, per cell.
C# twin: ``RnnPort.ModelFileCells``.

One registry, :data:`CELLS`, keyed by the metadata's ``cell`` value (D7). Adding a cell to the file
format is one entry here (and its twin): the entry names, which are optional, how many gate blocks
its two weight matrices stack (``gates``), how to read its arrays off a model and how to build one.

======  ===================================  ==========================  =============
cell    required entries                     optional entries            gates (rows)
======  ===================================  ==========================  =============
rnn     W_xh (H, I), W_hh (H, H), W_hy, h0   b_h (H,), b_y (O,)          1
lstm    W_ih (4H, I), W_hh (4H, H), W_hy,    b_ih, b_hh (4H,), b_y (O,)  4 (i, f, g, o)
        h0, c0 (H,)
gru     W_ih (3H, I), W_hh (3H, H), W_hy, h0 b_ih, b_hh (3H,), b_y (O,)  3 (r, z, n)
======  ===================================  ==========================  =============
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN


@dataclass(frozen=True)
class CellFormat:
    """How one cell lies in a model file.

    Attributes
    ----------
    name : str
        The metadata's ``cell`` value.
    model_class : type
        The NumPy cell (``RNN``, ``LSTM``, ``GRU``).
    gates : int
        Row blocks of the input and recurrent weights: input weights (gates·H, I), W_hh (gates·H, H).
    input_weights : str
        The input weights' entry name (``W_xh`` or ``W_ih``).
    required, optional : tuple of str
        Float entries, in the order a writer stores them (required first).
    bias_rows : tuple of str
        The optional biases of gates·H rows (the others' lengths are O).
    build : callable
        ``build(floats, activation)`` → the model; ``floats`` maps entry names to float64 arrays.
    """

    name: str
    model_class: type
    gates: int
    input_weights: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    bias_rows: tuple[str, ...]
    build: Callable[[dict[str, np.ndarray], str], Any]

    @property
    def floats(self) -> tuple[str, ...]:
        """Every float entry this cell may store, in writer order."""
        return self.required + self.optional

    def shapes(self, inputs: int, hidden: int, outputs: int) -> dict[str, tuple[int, ...]]:
        """M4: the NumPy shape of each float entry for I, H, O."""
        rows = self.gates * hidden
        shapes: dict[str, tuple[int, ...]] = {self.input_weights: (rows, inputs), "W_hh": (rows, hidden),
                                              "W_hy": (outputs, hidden), "h0": (hidden,), "c0": (hidden,)}
        shapes.update({name: (rows,) for name in self.bias_rows})
        shapes["b_y"] = (outputs,)
        return {name: shapes[name] for name in self.floats}

    def arrays(self, model: Any) -> dict[str, np.ndarray]:
        """The float entries of ``model`` a writer stores (absent biases left out)."""
        return {name: np.asarray(getattr(model, name)) for name in self.floats if getattr(model, name) is not None}


def _rnn(floats: dict[str, np.ndarray], activation: str) -> RNN:
    return RNN(floats["W_xh"], floats["W_hh"], floats["W_hy"], floats["h0"], activation,
               b_h=floats.get("b_h"), b_y=floats.get("b_y"))


def _lstm(floats: dict[str, np.ndarray], activation: str) -> LSTM:
    return LSTM(floats["W_ih"], floats["W_hh"], floats["W_hy"], floats["h0"], floats["c0"],
                b_ih=floats.get("b_ih"), b_hh=floats.get("b_hh"), b_y=floats.get("b_y"))


def _gru(floats: dict[str, np.ndarray], activation: str) -> GRU:
    return GRU(floats["W_ih"], floats["W_hh"], floats["W_hy"], floats["h0"],
               b_ih=floats.get("b_ih"), b_hh=floats.get("b_hh"), b_y=floats.get("b_y"))


CELLS: dict[str, CellFormat] = {
    "rnn": CellFormat("rnn", RNN, 1, "W_xh", ("W_xh", "W_hh", "W_hy", "h0"), ("b_h", "b_y"), ("b_h",), _rnn),
    "lstm": CellFormat("lstm", LSTM, 4, "W_ih", ("W_ih", "W_hh", "W_hy", "h0", "c0"), ("b_ih", "b_hh", "b_y"),
                       ("b_ih", "b_hh"), _lstm),
    "gru": CellFormat("gru", GRU, 3, "W_ih", ("W_ih", "W_hh", "W_hy", "h0"), ("b_ih", "b_hh", "b_y"), ("b_ih", "b_hh"), _gru),
}


CELL_NAMES = tuple(CELLS)  # D7: the values of the metadata's "cell"
ENTRY_NAMES = ("W_xh", "W_ih", "W_hh", "W_hy", "h0", "c0", "b_h", "b_ih", "b_hh", "b_y")  # Z4: every cell's floats


def cell_of(model: Any) -> CellFormat:
    """The format of ``model``'s cell.

    Raises
    ------
    TypeError
        ``model`` is none of the registered cells.
    """
    for cell in CELLS.values():
        if type(model) is cell.model_class:
            return cell
    names = ", ".join(f"rnnport.{c.model_class.__name__}" for c in CELLS.values())
    raise TypeError(f"model must be one of {names}; got {type(model).__name__}")
