"""Which arrays a stack stores in a version 3 model file: section S of ``docs/model-file.md``.
C# twin: ``RnnPort.ModelFileStacks``.

For layer k < L and s = "" and, when bidirectional, "_reverse", in writer order (torch's
``_flat_weights_names``, then the output layer, then the states):

=====================  ==============  ======================================
entry                  NumPy shape     presence
=====================  ==============  ======================================
``weight_ih_l{k}{s}``  (G·H, I_k)      required (I_0 = I, I_k = D·H)
``weight_hh_l{k}{s}``  (G·H, H)        required
``bias_ih_l{k}{s}``    (G·H,)          all biases or none (M6)
``bias_hh_l{k}{s}``    (G·H,)
``W_hy``               (O, D·H)        optional
``b_y``                (O,)            only with ``W_hy`` (M7)
``h0``, ``c0``         (L·D, H)        required (``c0``: LSTM only)
=====================  ==============  ======================================
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnport.io.model_metadata import MAX_LAYERS

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")

#: Z4: every torch name any stack may store (k < MAX_LAYERS, both directions).
TORCH_NAMES = tuple(f"{kind}_l{k}{s}" for k in range(MAX_LAYERS) for s in ("", "_reverse") for kind in _KINDS)


@dataclass(frozen=True)
class StackLayout:
    """The entries of one stack: cell, L, D (1 or 2), and the names in writer order.

    Attributes
    ----------
    cell : str
        "rnn", "lstm" or "gru".
    num_layers : int
        L.
    directions : int
        D: 2 when bidirectional, else 1.
    """

    cell: str
    num_layers: int
    directions: int

    def _layer_names(self, kinds: tuple[str, ...]) -> tuple[str, ...]:
        suffixes = ("", "_reverse")[:self.directions]
        return tuple(f"{kind}_l{k}{s}" for k in range(self.num_layers) for s in suffixes for kind in kinds)

    @property
    def weights(self) -> tuple[str, ...]:
        """The required layer weights, in writer order."""
        return self._layer_names(("weight_ih", "weight_hh"))

    @property
    def biases(self) -> tuple[str, ...]:
        """The layer biases (all or none: M6), in writer order."""
        return self._layer_names(("bias_ih", "bias_hh"))

    @property
    def states(self) -> tuple[str, ...]:
        """``h0`` and, for the LSTM, ``c0``."""
        return ("h0", "c0") if self.cell == "lstm" else ("h0",)

    @property
    def required(self) -> tuple[str, ...]:
        """M1: the entries that must be present, in writer order."""
        return (*self.weights, *self.states)

    @property
    def floats(self) -> tuple[str, ...]:
        """Every float entry this stack may store, in writer order."""
        return (*self._layer_names(_KINDS), "W_hy", "b_y", *self.states)

    def two_dimensional(self, name: str) -> bool:
        """M3: weights, ``W_hy``, ``h0`` and ``c0`` are 2-D; the biases 1-D."""
        return not name.startswith(("bias_", "b_"))

    def shapes(self, inputs: int, hidden: int, outputs: int) -> dict[str, tuple[int, ...]]:
        """M4: the NumPy shape of each float entry for I, H, O, in writer order."""
        rows, D = GATES[self.cell] * hidden, self.directions
        shapes: dict[str, tuple[int, ...]] = {}
        for name in self.floats:
            if name.startswith("weight_ih_l"):
                layer = int(name[len("weight_ih_l"):].removesuffix("_reverse"))
                shapes[name] = (rows, inputs if layer == 0 else D * hidden)
            elif name.startswith("weight_hh_l"):
                shapes[name] = (rows, hidden)
            elif name.startswith("bias_"):
                shapes[name] = (rows,)
            else:
                shapes[name] = {"W_hy": (outputs, D * hidden), "b_y": (outputs,)}.get(name, (self.num_layers * D, hidden))
        return shapes


def layout_of(stack: Any) -> StackLayout:
    """The layout of a ``RecurrentStack``."""
    return StackLayout(stack.cell, stack.num_layers, 2 if stack.bidirectional else 1)


def arrays(stack: Any) -> dict[str, np.ndarray]:
    """The float entries a writer stores for ``stack``, in writer order (absent biases and output layer left out)."""
    parameters = stack.parameters()
    out = {name: np.asarray(value) for name, value in parameters.items() if value is not None}
    out["h0"] = np.asarray(stack.h0)
    if stack.cell == "lstm":
        out["c0"] = np.asarray(stack.c0)
    return out


def build(layout: StackLayout, floats: dict[str, np.ndarray], activation: str) -> Any:
    """The ``RecurrentStack`` of checked entries (NumPy layout)."""
    from rnnport.cells.stack import RecurrentStack  # the cells import nothing of io; io needs the stack only here

    parameters = {name: floats[name] for name in layout.floats if name.startswith(("weight_", "bias_")) and name in floats}
    return RecurrentStack(layout.cell, parameters, num_layers=layout.num_layers, bidirectional=layout.directions == 2,
                          nonlinearity=activation, W_hy=floats.get("W_hy"), b_y=floats.get("b_y"),
                          h0=floats["h0"], c0=floats.get("c0"))
