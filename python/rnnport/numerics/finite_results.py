"""Refusing non-finite *results* (docs/bad-input.md, "Non-finite results"). C# twin: ``NonFiniteResultException``.

Finite inputs can still overflow: a step, a sequence, the loss, the gradients or an optimiser update
whose result holds NaN or ±Inf raises ``FloatingPointError`` with one line that names the operation,
the step or parameter and the first bad element, and the model is left as it was. Both languages
search in the same order (NumPy's C order, which is the C# storage order of the transposed arrays)
and print values alike (``inf``, ``-inf``, ``nan``), so their messages name the same element.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def first_non_finite(array: np.ndarray) -> tuple[int, ...] | None:
    """The C-order index of the first NaN or ±Inf element of ``array``, or None when all are finite."""
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0])


def element(array: np.ndarray, index: tuple[int, ...]) -> str:
    """``element 3 is inf`` for a vector, ``element (1, 2) is nan`` for a matrix (as C# writes them)."""
    where = str(index[0]) if len(index) == 1 else "(" + ", ".join(map(str, index)) + ")"
    return f"element {where} is {float(array[index])!r}"


def refuse_non_finite(array: np.ndarray, what: str) -> None:
    """Raise ``FloatingPointError("{what} is not finite (element … is …)")`` when ``array`` holds NaN or ±Inf."""
    index = first_non_finite(array)
    if index is not None:
        raise FloatingPointError(f"{what} is not finite ({element(array, index)})")


def refuse_non_finite_steps(operation: str, sequences: Sequence[tuple[str, np.ndarray]]) -> None:
    """Raise ``FloatingPointError("{operation}: the {name} at step {t} is not finite (element … is …)")`` for
    the first step t at which one of the (T, n) ``sequences`` holds NaN or ±Inf, naming the first such
    sequence in the given order (a cell's state before its output). Returns quietly when all are finite:
    a cheap screen's false alarm (:func:`all_finite`) ends here."""
    bad = [~np.isfinite(values).all(axis=1) for _, values in sequences]  # (T,) each
    steps = np.flatnonzero(np.logical_or.reduce(bad))
    if steps.size:
        t = int(steps[0])
        name, values = next(sequence for sequence, bad_steps in zip(sequences, bad) if bad_steps[t])
        raise FloatingPointError(f"{operation}: the {name} at step {t} is not finite "
                                 f"({element(values[t], first_non_finite(values[t]))})")


def all_finite(*arrays: np.ndarray) -> bool:
    """A cheap screen: True when every element is finite. One sum per array (NaN or ±Inf anywhere makes
    the sum NaN or ±Inf); a sum of finite values that overflows gives a false alarm, which the caller's
    exact search then clears. Call it under ``np.errstate(all="ignore")``: that overflow must not warn."""
    return all(np.isfinite(np.add.reduce(a, axis=None)) for a in arrays)
