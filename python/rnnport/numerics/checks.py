"""Argument checks shared by ``rnnport.RNN`` and the bridge ``rnnport.dotnet``.

Every public entry point converts array-likes with :func:`as_float64` and checks them here,
*before* it touches any state, so a rejected call leaves the model as it was. The C# twin is
``Guard`` in ``dotnet/src/RnnPort``; both sides reject the same inputs with the same meaning.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def shape_str(shape: tuple[int | str, ...]) -> str:
    """Format a shape the way NumPy prints it: ``(3,)``, ``(T, 4)``."""
    inner = ", ".join(str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def as_float64(value: Any, name: str) -> np.ndarray:
    """Convert an array-like to a float64 ndarray, or raise ``TypeError``.

    Integers and floats of any width are converted (integers beyond 2**53 round). Booleans,
    complex and object arrays, strings and ``None`` are refused: a mask passed as data, a silent
    ``.real`` or a ragged object array would hide a caller's bug.
    """
    if value is None:
        raise TypeError(f"{name} must be an array of real numbers, not None")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise TypeError(f"{name} must be an array of real numbers: {error}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    # C-contiguous float64, copying only when needed: BLAS picks its kernel (and so its rounding)
    # by memory layout, and results must not depend on whether the caller passed a view.
    array = array.astype(np.float64, copy=False)
    return array if array.flags.c_contiguous else array.copy(order="C")  # (np.ascontiguousarray would make 0-d 1-d)


def check_shape(array: np.ndarray, expected: tuple[int | None, ...], name: str,
                labels: tuple[str, ...] | None = None) -> None:
    """Raise ``ValueError`` unless ``array.shape`` matches ``expected`` (``None`` = any size).

    ``labels`` prints the free axes by name, e.g. ``("T", 4)`` → "expected (T, 4)".
    """
    shown = tuple(lab if size is None else size
                  for size, lab in zip(expected, labels or ("?",) * len(expected)))
    if array.ndim != len(expected) or any(
            size is not None and size != actual for size, actual in zip(expected, array.shape)):
        raise ValueError(f"{name} has shape {shape_str(array.shape)}, expected {shape_str(shown)}")


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the first NaN or ±Inf element, in C (row-major) order."""
    bad = ~np.isfinite(array)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be finite, but element {index} is {array[index]!r}")


def as_real_scalar(value: Any, name: str) -> float:
    """A real number as float, or ``TypeError``: the one rule for rates, limits, temperatures, eps.

    Accepted: ``int``, ``float``, ``np.integer``, ``np.floating`` (any width). Refused: ``bool`` and
    ``np.bool_`` (a flag passed as a number), ``str`` (``"0.1"`` is not parsed), ``None``, complex,
    and arrays of any rank, 0-d included. Range checks (finite, > 0) are the caller's. An integer
    too large for a float raises ``OverflowError``, as ``float()`` does.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


def as_int_scalar(value: Any, name: str) -> int:
    """An integer as int, or ``TypeError``: ``int`` or ``np.integer``, not ``bool``, float or str."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return int(value)


def as_int_array(values: Any, name: str) -> np.ndarray:
    """An array of integers (any width), or ``TypeError``; shape checks are the caller's."""
    if values is None:
        raise TypeError(f"{name} must be integers, not None")
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers, got dtype {array.dtype}")
    return array


def check_index(index: int, size: int, what: str) -> None:
    """Raise ``ValueError`` unless ``0 <= index < size`` (an index into the vocabulary)."""
    if not 0 <= index < size:
        raise ValueError(f"{what} {index} is outside the vocabulary [0, {size})")


def unknown_activation(activation: Any) -> ValueError:
    """The error for an activation that is neither ``"tanh"`` nor ``"relu"`` (a name or not)."""
    return ValueError(f"unknown activation {activation!r}: expected 'tanh' or 'relu'")
