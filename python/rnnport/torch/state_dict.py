"""A torch state_dict (any ``num_layers``, ``bidirectional``, ``bias``) to a ``RecurrentStack`` and back, without torch.

===============================  ==============  ===========================================
torch key                        shape           rnnport (docs/stacks.md)
===============================  ==============  ===========================================
``weight_ih_l{k}{_reverse}``     (G·H, I_k)      the same name; C# holds the transpose
``weight_hh_l{k}{_reverse}``     (G·H, H)        the same name
``bias_ih_l{k}{_reverse}``       (G·H,)          the same name (all biases, or none)
``bias_hh_l{k}{_reverse}``       (G·H,)          the same name (the RNN keeps both)
===============================  ==============  ===========================================

G (1 RNN, 4 LSTM, 3 GRU) is read off ``weight_hh_l0`` (rows over columns), L off the layer numbers,
D off the ``_reverse`` keys, I_0 = I off ``weight_ih_l0``, I_k = D·H above. The names and arrays are kept
as they are, so ``to_state_dict(from_state_dict(sd))`` is ``sd`` bit for bit (float32 widens exactly).
The RNN's nonlinearity is not in a state_dict: pass ``nonlinearity`` (torch's default, tanh, otherwise).
torch has no output layer: without ``W_hy`` the stack's output is its top layer's (O = D·H).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN
from rnnport.cells.stack import RecurrentStack, parameter_names
from rnnport.torch.common import GATES, StateDictError, as_array
from rnnport.torch.single_cell import cell_to_state_dict

_KEY = re.compile(r"^(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")
_CELL_OF_GATES = {gates: cell for cell, gates in GATES.items()}


@dataclass(frozen=True)
class StackShape:
    """What a state_dict's keys and shapes say: the cell, L, bidirectional, I, H and whether it has biases."""

    cell: str
    num_layers: int
    bidirectional: bool
    input_size: int
    hidden_size: int
    bias: bool


def infer_stack(state: Mapping[str, Any]) -> StackShape:
    """The cell, layers, directions and sizes of a torch RNN/LSTM/GRU state_dict, from its keys and shapes.

    Raises
    ------
    StateDictError
        One line naming the key: a non-string key, ``weight_hr_l*`` (proj_size > 0), a key no such module
        has, a gap in the layer numbers, a missing key (biases: all or none), a shape that fits no cell.
    """
    layers: dict[int, str] = {}
    for key in state:
        if not isinstance(key, str):
            raise StateDictError(f"{key!r}: a state_dict key must be a string")
        if key.startswith("weight_hr_"):
            raise StateDictError(f"{key}: proj_size > 0 (LSTM projections) is not supported")
        match = _KEY.match(key)
        if not match:
            raise StateDictError(f"{key}: not a key of a torch RNN/LSTM/GRU module "
                                 f"(expected weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …, _reverse)")
        layers.setdefault(int(match.group(3)), key)
    if not layers:
        raise StateDictError("weight_ih_l0: missing (the state_dict is empty)")
    L = max(layers) + 1
    for k in range(L):
        if k not in layers:
            after = min(n for n in layers if n > k)
            raise StateDictError(f"{layers[after]}: layer {after} follows a gap (no key of layer {k})")
    bidirectional = any(key.endswith("_reverse") for key in state)
    bias = any(key.startswith("bias_") for key in state)
    for key in parameter_names(L, bidirectional, bias):
        if key not in state:
            why = " (torch has all biases or none)" if key.startswith("bias_") else ""
            raise StateDictError(f"{key}: missing{why}")
    hh = tuple(np.shape(state["weight_hh_l0"]))
    if len(hh) != 2 or hh[1] < 1 or hh[0] % hh[1] or hh[0] // hh[1] not in _CELL_OF_GATES:
        raise StateDictError(f"weight_hh_l0: shape {hh} fits no cell (expected (H, H), (4H, H) or (3H, H))")
    H = hh[1]
    cell = _CELL_OF_GATES[hh[0] // H]
    ih = tuple(np.shape(state["weight_ih_l0"]))
    if len(ih) != 2 or ih[1] < 1:
        raise StateDictError(f"weight_ih_l0: shape {ih}, expected ({GATES[cell] * H}, I) for a {cell} with H = {H}")
    I, D, rows = ih[1], 2 if bidirectional else 1, GATES[cell] * H
    for key in parameter_names(L, bidirectional, bias):
        k = int(_KEY.match(key).group(3))  # type: ignore[union-attr]
        columns = H if "_hh_" in key else (I if k == 0 else D * H)
        want = (rows, columns) if key.startswith("weight_") else (rows,)
        if tuple(np.shape(state[key])) != want:
            raise StateDictError(f"{key}: shape {tuple(np.shape(state[key]))}, expected {want} for a {cell} with "
                                 f"H = {H}{f', I = {I}' if k == 0 and key.startswith('weight_ih') else ''}")
    return StackShape(cell, L, bidirectional, I, H, bias)


def infer_cell(state: Mapping[str, Any]) -> tuple[str, int, int]:
    """The cell ("rnn", "lstm", "gru"), I and H of a state_dict (any layers, directions); :func:`infer_stack`'s refusals."""
    found = infer_stack(state)
    return found.cell, found.input_size, found.hidden_size


def from_state_dict(state: Mapping[str, ArrayLike], cell: str | None = None, *, nonlinearity: str = "tanh",
                    W_hy: ArrayLike | None = None, b_y: ArrayLike | None = None, kernel: str = "fast"
                    ) -> RecurrentStack:
    """The ``RecurrentStack`` holding a torch RNN/LSTM/GRU state_dict's weights, bit for bit.

    Parameters
    ----------
    state : mapping of str to array_like (or torch tensors)
        torch's keys (module docstring); floating dtypes.
    cell : {"rnn", "lstm", "gru"}, optional
        The expected cell; the shapes decide it, and a different one is refused.
    nonlinearity : {"tanh", "relu"}
        The RNN's (torch's ``nonlinearity``); the gated cells have tanh.
    W_hy : array_like, shape (O, D·H), optional
        An output layer; none by default (y_t is the top layer's output).
    b_y : array_like, shape (O,), optional
        Its bias.
    kernel : {"fast", "exact"}

    Returns
    -------
    RecurrentStack
        h0 (and c0) zeros, as torch's default state.

    Raises
    ------
    StateDictError
        :func:`infer_stack`'s refusals, a non-floating dtype, a non-finite value, or ``cell`` not the one
        the shapes give; the message names the key.
    """
    found = infer_stack(state)
    if cell is not None and cell != found.cell:
        raise StateDictError(f"weight_hh_l0: shape {tuple(np.shape(state['weight_hh_l0']))} is a {found.cell}, "
                             f"not a {cell}")
    arrays = {key: as_array(key, state[key]) for key in parameter_names(found.num_layers, found.bidirectional, found.bias)}
    return RecurrentStack(found.cell, arrays, num_layers=found.num_layers, bidirectional=found.bidirectional,
                          nonlinearity=nonlinearity if found.cell == "rnn" else "tanh", W_hy=W_hy, b_y=b_y,
                          kernel=kernel)  # type: ignore[arg-type]


def to_state_dict(model: RecurrentStack | RNN | LSTM | GRU) -> dict[str, np.ndarray]:
    """The torch state_dict (NumPy float64 copies, torch's key order) of a stack's recurrent layers.

    The output layer (W_hy, b_y) and h0/c0 have no place in a torch module and are left out. A single cell
    converts as in the first slice (:func:`rnnport.torch.single_cell.cell_to_state_dict`).
    """
    if isinstance(model, RecurrentStack):
        return {name: np.array(value, dtype=np.float64) for name, value in model.parameters().items()
                if name not in ("W_hy", "b_y")}
    if isinstance(model, (RNN, LSTM, GRU)):
        return cell_to_state_dict(model)
    raise TypeError(f"expected a RecurrentStack, RNN, LSTM or GRU, got {type(model).__name__}")
