"""torch as the outside reference of ``verify --reference torch``: a stack's run in float64 on one thread.

Three views of the same torch computation (docs/stacks.md has the semantics):

- the whole module (``to_torch(stack)``) over the sequence: the output, ``h_n`` and ``c_n`` a torch user
  gets;
- the layers one at a time: a one-layer module per layer (both directions), fed the layer below's
  torch output, whose output is that layer's per-step states (torch's multi-layer module chains its
  layers the same way; ``layer_outputs`` are what the table compares per layer and direction);
- for the LSTM, each direction stepped one timestep at a time with ``(h, c)`` carried, which is the only
  way torch shows the per-step cell state that the LSTM's bound needs.

torch is imported inside the functions (rnnport.torch alone imports it).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from rnnport.verify.three_way import SideRun



@contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread for the duration (its order of summation then does not depend on the machine's cores)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _module(cell: str, nonlinearity: str, bidirectional: bool, weights: dict[str, np.ndarray]) -> Any:
    """A one-layer float64 torch module holding ``weights`` (keys ``weight_ih_l0`` …, ``…_reverse``),
    made by the one conversion rnnport has (``to_torch``) from the one-layer stack of those weights."""
    from rnnport.cells.stack import RecurrentStack
    from rnnport.torch.modules import to_torch

    return to_torch(RecurrentStack(cell, weights, num_layers=1, bidirectional=bidirectional,
                                   nonlinearity=nonlinearity))


def _layer_weights(parameters: dict[str, np.ndarray], layer: int, suffixes: tuple[str, ...],
                   to_suffix: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Layer ``layer``'s parameters renamed to layer 0 (``weight_ih_l1_reverse`` → ``weight_ih_l0_reverse``)."""
    to_suffix = suffixes if to_suffix is None else to_suffix
    out = {}
    for stem in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        for s, t in zip(suffixes, to_suffix):
            key = f"{stem}_l{layer}{s}"
            if key in parameters:
                out[f"{stem}_l0{t}"] = parameters[key]
    return out


def run_reference(stack: Any, xs: np.ndarray) -> SideRun:
    """torch's run of ``stack`` (an ``rnnport.RecurrentStack``) over xs (T, I) from the stack's ``h0``/``c0``.

    Parameters
    ----------
    stack : RecurrentStack
        Read through its public API: ``cell``, ``nonlinearity``, ``num_layers``, ``bidirectional``,
        ``hidden_size``, ``input_size``, ``parameters()``, ``W_hy``, ``b_y``, ``h0``, ``c0``.
    xs : (T, I) float64

    Returns
    -------
    SideRun
        torch's layers (T, D·H) in time order, the LSTM's per-step cell states, ys (T, O) after the stack's
        output layer (if any), h_n and c_n (L·D, H).
    """
    import torch

    from rnnport.torch.modules import to_torch

    cell, L, H = stack.cell, stack.num_layers, stack.hidden_size
    D = 2 if stack.bidirectional else 1
    suffixes = ("", "_reverse")[:D]
    parameters = {k: np.asarray(v) for k, v in stack.parameters().items()}
    h0 = np.array(stack.h0, dtype=np.float64)  # writable copies: torch wraps them
    c0 = np.array(stack.c0, dtype=np.float64) if cell == "lstm" else None
    T = xs.shape[0]
    with one_thread(), torch.no_grad():
        module = to_torch(stack)
        x = torch.from_numpy(np.array(xs, dtype=np.float64)).unsqueeze(1)  # (T, 1, I), a writable copy
        start = torch.from_numpy(h0).unsqueeze(1)  # (L·D, 1, H)
        if cell == "lstm":
            out, (h_n, c_n) = module(x, (start, torch.from_numpy(c0).unsqueeze(1)))
        else:
            out, h_n = module(x, start)
            c_n = None
        top = out[:, 0, :]
        if stack.W_hy is not None:
            top = top @ torch.from_numpy(np.array(stack.W_hy)).T
            if stack.b_y is not None:
                top = top + torch.from_numpy(np.array(stack.b_y))
        layers, cells = [], ([] if cell == "lstm" else None)
        inputs = x
        for k in range(L):
            weights = _layer_weights(parameters, k, suffixes)
            rows = slice(k * D, (k + 1) * D)
            layer = _module(cell, stack.nonlinearity, D == 2, weights)
            state = torch.from_numpy(h0[rows]).unsqueeze(1)
            if cell == "lstm":
                layer_out, _ = layer(inputs, (state, torch.from_numpy(c0[rows]).unsqueeze(1)))
                cells.append(np.hstack([_stepped_cell_states(parameters, k, s, d, H, inputs[:, 0, :].numpy(),
                                                             h0[k * D + d], c0[k * D + d])
                                        for d, s in enumerate(suffixes)]) if T else np.zeros((0, D * H)))
            else:
                layer_out, _ = layer(inputs, state)
            layers.append(layer_out[:, 0, :].numpy().copy())
            inputs = layer_out
    return SideRun(layers, cells, top.numpy().copy(), h_n[:, 0, :].numpy().copy(),
                    None if c_n is None else c_n[:, 0, :].numpy().copy())


def _stepped_cell_states(parameters: dict[str, np.ndarray], layer: int, suffix: str, direction: int, H: int,
                         xs: np.ndarray, h0: np.ndarray, c0: np.ndarray) -> np.ndarray:
    """The LSTM cell state after every step of one direction, (T, H) in time order: torch's one-layer,
    one-direction ``nn.LSTM`` stepped one timestep at a time with (h, c) carried."""
    import torch

    weights = _layer_weights(parameters, layer, (suffix,), ("",))
    module = _module("lstm", "tanh", False, weights)
    order = range(xs.shape[0]) if direction == 0 else range(xs.shape[0] - 1, -1, -1)
    h = torch.from_numpy(np.array(h0)).view(1, 1, H)
    c = torch.from_numpy(np.array(c0)).view(1, 1, H)
    cs = np.empty((xs.shape[0], H))
    for t in order:
        _, (h, c) = module(torch.from_numpy(np.ascontiguousarray(xs[t])).view(1, 1, -1), (h, c))
        cs[t] = c.view(H).numpy()
    return cs
