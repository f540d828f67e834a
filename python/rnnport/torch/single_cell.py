"""A one-layer, one-direction torch state_dict to a single cell (``RNN``, ``LSTM``, ``GRU``) and back, without torch.

The first slice's conversion, kept for users of the single cells (``import-torch`` now writes version 3,
stacks); :mod:`rnnport.torch.state_dict` converts every state_dict to a ``RecurrentStack``.

========================  ==============  ============================================
torch key                 shape           rnnport (NumPy; C# holds the transpose)
========================  ==============  ============================================
``weight_ih_l0``          (G·H, I)        RNN ``W_xh``, LSTM/GRU ``W_ih``
``weight_hh_l0``          (G·H, H)        ``W_hh``
``bias_ih_l0``            (G·H,)          LSTM/GRU ``b_ih``; RNN: ``b_h = bias_ih + bias_hh``
``bias_hh_l0``            (G·H,)          LSTM/GRU ``b_hh``
========================  ==============  ============================================

G, the number of gate blocks, is read off ``weight_hh_l0`` (its rows over its columns): 1 for the RNN,
4 for the LSTM (i, f, g, o), 3 for the GRU (r, z, n); so the cell is never ambiguous, and ``cell=`` is
a check. The RNN's nonlinearity is not in a state_dict: pass ``nonlinearity`` (torch's default, tanh,
otherwise). The RNN has one bias where torch has two: ``b_h`` is their sum in float64, one rounding
(≤ u·|bias_ih + bias_hh|) away from torch's order, inside the fast-mode bound. torch has no output
layer: without ``W_hy`` it is the identity I_H (so y = h, O = H), without ``b_y`` none. h0 (and c0)
are zeros, as torch's default state.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN
from rnnport.torch.common import GATES, StateDictError, as_array as _array

_CELL_OF_GATES = {gates: cell for cell, gates in GATES.items()}
WEIGHTS = ("weight_ih_l0", "weight_hh_l0")
BIASES = ("bias_ih_l0", "bias_hh_l0")
_LAYER = re.compile(r"_l(\d+)(_reverse)?$")


def _check_keys(state: Mapping[str, Any]) -> None:
    """Refuse projections, further layers or directions, missing and unknown keys, naming the key."""
    for key in state:
        if not isinstance(key, str):
            raise StateDictError(f"{key!r}: a state_dict key must be a string")
        if key.startswith("weight_hr_"):
            raise StateDictError(f"{key}: proj_size > 0 (LSTM projections) is not supported")
        match = _LAYER.search(key)
        if match and (match.group(2) or match.group(1) != "0"):
            raise StateDictError(f"{key}: stacked/bidirectional models are not supported yet (one layer, one direction)")
        if key not in WEIGHTS + BIASES:
            raise StateDictError(f"{key}: not a key of a torch RNN/LSTM/GRU layer "
                                 f"(expected {', '.join(WEIGHTS + BIASES)})")
    for key in WEIGHTS:
        if key not in state:
            raise StateDictError(f"{key}: missing")
    present = [key for key in BIASES if key in state]
    if len(present) == 1:
        missing = BIASES[1 - BIASES.index(present[0])]
        raise StateDictError(f"{missing}: missing (torch has both biases or neither)")


def infer_single_cell(state: Mapping[str, Any]) -> tuple[str, int, int]:
    """The cell ("rnn", "lstm", "gru"), I and H of a one-layer state_dict, from ``weight_hh_l0``'s shape.

    Raises
    ------
    StateDictError
        A key is refused (:func:`from_state_dict`) or a shape fits no cell.
    """
    _check_keys(state)
    shapes = {key: tuple(np.shape(state[key])) for key in state}
    hh = shapes["weight_hh_l0"]
    if len(hh) != 2 or hh[1] < 1 or hh[0] % hh[1] or hh[0] // hh[1] not in _CELL_OF_GATES:
        raise StateDictError(f"weight_hh_l0: shape {hh} fits no cell (expected (H, H), (4H, H) or (3H, H))")
    H = hh[1]
    cell = _CELL_OF_GATES[hh[0] // H]
    rows = GATES[cell] * H
    ih = shapes["weight_ih_l0"]
    if len(ih) != 2 or ih[0] != rows or ih[1] < 1:
        raise StateDictError(f"weight_ih_l0: shape {ih}, expected ({rows}, I) for a {cell} with H = {H}")
    for key in BIASES:
        if key in shapes and shapes[key] != (rows,):
            raise StateDictError(f"{key}: shape {shapes[key]}, expected ({rows},) for a {cell} with H = {H}")
    return cell, ih[1], H


def cell_from_state_dict(state: Mapping[str, ArrayLike], cell: str | None = None, *, nonlinearity: str = "tanh",
                    W_hy: ArrayLike | None = None, b_y: ArrayLike | None = None,
                    kernel: str = "fast") -> RNN | LSTM | GRU:
    """The rnnport model holding a one-layer, unidirectional torch state_dict's weights.

    Parameters
    ----------
    state : mapping of str to array_like (or torch tensors)
        ``weight_ih_l0`` (G·H, I), ``weight_hh_l0`` (G·H, H) and optionally both ``bias_ih_l0``,
        ``bias_hh_l0`` (G·H,); floating dtypes.
    cell : {"rnn", "lstm", "gru"}, optional
        The expected cell; the shapes decide it, and a different one is refused.
    nonlinearity : {"tanh", "relu"}
        The RNN's (torch's ``nonlinearity``); ignored for the gated cells.
    W_hy : array_like, shape (O, H), optional
        The output layer; the identity I_H when omitted (y = h).
    b_y : array_like, shape (O,), optional
        The output bias; none when omitted.
    kernel : {"fast", "exact"}
        The model's kernel.

    Returns
    -------
    RNN, LSTM or GRU
        With h0 (and c0) zeros. For the RNN, ``b_h = bias_ih_l0 + bias_hh_l0`` (one rounding).

    Raises
    ------
    StateDictError
        ``weight_hr_l0`` (proj_size > 0), a key of another layer or direction, a missing or extra
        key, a shape that fits no cell, a non-floating dtype, or ``cell`` not the one the shapes give.
    """
    found, _, H = infer_single_cell(state)
    if cell is not None and cell != found:
        raise StateDictError(f"weight_hh_l0: shape {tuple(np.shape(state['weight_hh_l0']))} is a {found}, not a {cell}")
    arrays = {key: _array(key, state[key]) for key in state}
    out = np.eye(H) if W_hy is None else W_hy
    if found == "rnn":
        b_h = arrays["bias_ih_l0"] + arrays["bias_hh_l0"] if "bias_ih_l0" in arrays else None
        return RNN(arrays["weight_ih_l0"], arrays["weight_hh_l0"], out, activation=nonlinearity,
                   b_h=b_h, b_y=b_y, kernel=kernel)
    model_class = LSTM if found == "lstm" else GRU
    return model_class(arrays["weight_ih_l0"], arrays["weight_hh_l0"], out, b_ih=arrays.get("bias_ih_l0"),
                       b_hh=arrays.get("bias_hh_l0"), b_y=b_y, kernel=kernel)


def cell_to_state_dict(model: RNN | LSTM | GRU) -> dict[str, np.ndarray]:
    """The torch state_dict (NumPy arrays, float64 copies) of ``model``'s recurrent layer.

    The output layer (W_hy, b_y) and h0 have no place in a torch module and are left out. The RNN's
    ``b_h`` goes to ``bias_ih_l0`` and zeros to ``bias_hh_l0`` (adding +0.0 is exact); a gated cell with
    one bias only gets zeros for the other. No bias at all: no bias keys (torch's ``bias=False``).
    """
    if isinstance(model, RNN):
        weights, biases = (model.W_xh, model.W_hh), (model.b_h, None if model.b_h is None else np.zeros_like(model.b_h))
    elif isinstance(model, (LSTM, GRU)):
        weights, biases = (model.W_ih, model.W_hh), (model.b_ih, model.b_hh)
    else:
        raise TypeError(f"expected an RNN, LSTM or GRU, got {type(model).__name__}")
    state = {key: np.array(w, dtype=np.float64) for key, w in zip(WEIGHTS, weights)}
    if any(b is not None for b in biases):
        rows = state["weight_hh_l0"].shape[0]
        state.update({key: np.zeros(rows) if b is None else np.array(b, dtype=np.float64) for key, b in zip(BIASES, biases)})
    return state
