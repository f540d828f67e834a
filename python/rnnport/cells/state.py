"""What every cell checks of the arrays it is given at run time, and its state ``h`` (a checked copy).

The rules are those of ``rnnport.numerics.checks``, in one order: dtype (TypeError), shape, then
finiteness (ValueError), each message naming the argument.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rnnport.numerics.checks import as_float64, check_finite, check_shape


def checked_vector(value: ArrayLike, length: int, name: str) -> np.ndarray:
    """value as a finite float64 array of shape (length,), or TypeError/ValueError naming it ``name``."""
    value = as_float64(value, name)
    check_shape(value, (length,), name)
    check_finite(value, name)
    return value


def checked_sequence(xs: ArrayLike, input_size: int) -> np.ndarray:
    """xs as a finite float64 (T, I) array, or TypeError/ValueError naming ``xs``."""
    xs = as_float64(xs, "xs")
    check_shape(xs, (None, input_size), "xs", ("T", "I"))
    check_finite(xs, "xs")
    return xs


class HiddenState:
    """A mixin: the state ``h`` (H,), held in ``_h``; reading copies, assigning checks and copies.

    A copy, not a view: writing into what the getter returned cannot put NaN into the model behind the
    setter's back (C#'s ``State`` getter copies too).
    """

    _h: np.ndarray  # (H,); the cell also gives hidden_size and input_size (ParameterStore)

    @property
    def h(self) -> np.ndarray:
        """A copy of the current state, shape (H,); assigning checks shape and finiteness, then copies."""
        return self._h.copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        self._h = self._checked_state(value, "h")

    def _checked_state(self, value: ArrayLike, name: str) -> np.ndarray:
        """A float64 copy of value, checked to be finite and of shape (H,), or TypeError/ValueError naming it."""
        return np.array(checked_vector(value, self.hidden_size, name), dtype=np.float64)

    def _checked_input(self, x: ArrayLike) -> np.ndarray:
        """x as a finite float64 (I,) array, or TypeError/ValueError naming ``x``."""
        return checked_vector(x, self.input_size, "x")

    def _checked_sequence(self, xs: ArrayLike) -> np.ndarray:
        """xs as a finite float64 (T, I) array, or TypeError/ValueError."""
        return checked_sequence(xs, self.input_size)
