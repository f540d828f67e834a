"""What every cell does with its trainable parameters: keep them, show them read-only, update them.

A cell lists its parameters once, in order: the input weights (·H, I), the recurrent weights (·H, H),
the output weights (O, H), then the biases that are on. Its C# twin keeps the same list
(``RnnPort.NamedParameters``: ``Of`` and ``Write``).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
from numpy.typing import ArrayLike

from rnnport.numerics.checks import as_float64, check_shape


def read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array`` (same memory, no copy)."""
    view = array.view()
    view.setflags(write=False)
    return view


def cell_repr(cls: str, sizes: tuple[int, int, int], activation: str | None, kernel: str,
              biases: tuple[str, ...]) -> str:
    """The one repr format of every cell and bridge twin: ``RNN(I=8, H=64, O=8, activation='tanh',
    kernel='fast', biases=('b_h', 'b_y'))``; ``biases=()`` when none is on."""
    activation_part = "" if activation is None else f", activation={activation!r}"
    return (f"{cls}(I={sizes[0]}, H={sizes[1]}, O={sizes[2]}{activation_part}, kernel={kernel!r}, "
            f"biases={tuple(biases)!r})")


class ParameterStore:
    """A mixin: the parameters live in ``_live``, in the cell's order, and ``apply_update`` alone writes them.

    The attributes that name them (``W_hh`` …) are read-only views of the same memory, free to read, so that
    ``m.W_hh[0, 0] = np.nan`` is refused instead of bypassing the NaN rule.
    """

    _live: dict[str, np.ndarray]

    def _keep_parameters(self, given: Mapping[str, np.ndarray], names: tuple[str, ...]) -> None:
        """Copies the given arrays, in the order ``names``, into ``_live`` (C-contiguous float64) and sets an
        attribute per name: a read-only view, or None for an absent (optional) one."""
        self._live = {name: np.array(given[name], dtype=np.float64, order="C") for name in names if name in given}
        for name in names:
            setattr(self, name, read_only(self._live[name]) if name in self._live else None)

    def __repr__(self) -> str:
        return cell_repr(type(self).__name__, (self.input_size, self.hidden_size, self.output_size),
                         getattr(self, "activation", None), getattr(self, "kernels").name,
                         tuple(name for name in self._live if name.startswith("b_")))

    def parameters(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name, in the cell's ``PARAMETERS`` order (the biases when on), as read-only
        views: they show every update, and ``apply_update`` alone makes one."""
        return {name: read_only(value) for name, value in self._live.items()}

    def apply_update(self, values: Mapping[str, ArrayLike]) -> None:
        """Write new values over some of the parameters, all or nothing: the training API.

        The optimisers and the gradient check change the model through this method alone; its C# twin is
        the cell's ``ApplyUpdate`` (``RnnPort.RNN.ApplyUpdate`` …), which also refreshes the packed weight copies.

        Parameters
        ----------
        values : mapping of name to array_like
            A subset of ``parameters()``, each of its parameter's shape, e.g. ``{"W_hh": (H, H)}``.

        Raises
        ------
        ValueError
            A name the model has no parameter for, or a shape that differs; nothing is written.
            Finiteness is the caller's to check (the optimisers refuse a non-finite update with a
            FloatingPointError that names their operation, before they call this).
        """
        arrays = {}
        for name, value in values.items():
            if name not in self._live:
                raise ValueError(f"the model has no parameter {name!r}; it has {', '.join(self._live)}")
            array = as_float64(value, name)
            check_shape(array, self._live[name].shape, name)
            arrays[name] = array
        for name, array in arrays.items():
            self._live[name][...] = array

    @property
    def input_size(self) -> int:
        """I, the length of one input ``x`` (the input weights' columns)."""
        return next(iter(self._live.values())).shape[1]

    @property
    def hidden_size(self) -> int:
        """H, the length of the state ``h`` (the recurrent weights' columns)."""
        return self._live["W_hh"].shape[1]

    @property
    def output_size(self) -> int:
        """O, the length of one output ``y`` (the output weights' rows)."""
        return self._live["W_hy"].shape[0]
