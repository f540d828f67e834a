"""BPTT over a batch: the sum of the per-sequence losses and gradients, in one fixed order, for every cell.

The order (docs/exact-mode.md, "Batches") is fixed so that both languages agree bit for bit in exact
mode: the loss and every gradient start at +0.0 and receive sequence b = 0, 1, …, B−1 in turn, one
addition per element per sequence; each sequence's own loss and gradients are its cell's BPTT of one
chunk (``rnn_bptt.bptt``, ``lstm_bptt.bptt``, ``gru_bptt.gru_bptt``) from the same start state. The
start state's gradient (``h0``, ``c0``) is summed the same way: every sequence starts from that one
state. C# twin: ``BatchBptt.Run``.
"""
from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.batch import checked_batch
from rnnport.cells.gru import GRU
from rnnport.cells.gru_bptt import gru_bptt
from rnnport.cells.lstm import LSTM
from rnnport.cells.lstm_bptt import bptt as lstm_bptt
from rnnport.cells.rnn import RNN
from rnnport.cells.rnn_bptt import bptt as rnn_bptt
from rnnport.numerics.checks import as_int_array, check_shape

_BPTT: dict[type, Callable[..., Any]] = {RNN: rnn_bptt, LSTM: lstm_bptt, GRU: gru_bptt}


def checked_arguments(xs: ArrayLike, targets: ArrayLike, input_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The arguments of a batched BPTT, in both languages' shared order: xs as :func:`checked_batch`, at least
    one sequence, then integer targets of shape (B, T). Ranges are the cells' (per sequence) to check.

    Returns
    -------
    xs : ndarray, shape (B, T, I)
    targets : ndarray of int, shape (B, T)
    """
    xs = checked_batch(xs, input_size)
    if xs.shape[0] == 0:
        raise ValueError("xs has shape (0, T, I): BPTT over a batch needs at least one sequence")
    target_array = as_int_array(targets, "targets")
    check_shape(target_array, xs.shape[:2], "targets")
    return xs, target_array


def bptt_batch(model: RNN | LSTM | GRU, xs: ArrayLike, targets: ArrayLike) -> Any:
    """Summed loss and gradients of B sequences, each from the model's current state; changes nothing.

    Parameters
    ----------
    model : RNN, LSTM or GRU
    xs : array_like, shape (B, T, I)
        B ≥ 1 sequences of T ≥ 1 steps.
    targets : array_like, shape (B, T)
        Integer classes in [0, O).

    Returns
    -------
    The cell's BPTT result (``BpttResult`` or ``LstmBpttResult``): ``loss`` and ``gradients`` summed over
    the sequences in the order b = 0 … B−1 from +0.0; ``h_last`` (and ``c_last``) of shape (B, H), row b
    sequence b's last state.

    Raises
    ------
    TypeError, ValueError
        xs is not a finite real (B, T, I) array, B = 0, targets are not (B, T) integers, or as the cell's
        BPTT for one sequence (T = 0, a target out of range).
    FloatingPointError
        As the cell's BPTT, for the first sequence b whose result is not finite (the message is prefixed by
        ``sequence b: ``), or a summed gradient overflows.
    """
    run = _BPTT.get(type(model))
    if run is None:
        raise TypeError(f"model must be an RNN, LSTM or GRU, got {type(model).__name__}")
    xs, target_array = checked_arguments(xs, targets, model.input_size)
    results = []
    for b in range(xs.shape[0]):
        try:
            results.append(run(model, xs[b], target_array[b]))
        except (ValueError, FloatingPointError) as error:
            raise type(error)(f"sequence {b}: {error}") from None
    loss = 0.0
    with np.errstate(all="ignore"):  # an overflow of the sum is refused below
        gradients = {f.name: None if getattr(results[0].gradients, f.name) is None
                     else np.zeros_like(getattr(results[0].gradients, f.name)) for f in fields(results[0].gradients)}
        for result in results:  # b = 0 … B−1, one addition per element each
            loss += result.loss
            for name, total in gradients.items():
                if total is not None:
                    total += getattr(result.gradients, name)
    summed = replace(results[0].gradients, **gradients)
    summed.refuse_non_finite()
    lasts = {f.name: np.stack([getattr(r, f.name) for r in results])
             for f in fields(results[0]) if f.name.endswith("_last")}
    return replace(results[0], loss=loss, gradients=summed, **lasts)
