"""What every cell's gradients (a dataclass per cell: ``Gradients``, ``LstmGradients``, ``GruGradients``) share.

The fields are the parameters' gradients in the cell's parameter order (a bias's None when it is off),
then the gradients with respect to the chunk's start state (``h0``, and ``c0`` for the LSTM), which are
reported, never applied. C# twin: ``RnnPort.IParameterGradients`` (``Parameters()``, ``Arrays()``).
"""
from __future__ import annotations

from dataclasses import fields
from typing import ClassVar

import numpy as np

from rnnport.numerics.finite_results import refuse_non_finite


class GradientArrays:
    """A mixin for a gradients dataclass whose last fields, ``START_STATES``, are the start state's gradients."""

    START_STATES: ClassVar[tuple[str, ...]] = ("h0",)

    def parameters(self) -> dict[str, np.ndarray]:
        """The gradients an optimiser applies, by parameter name in the cell's ``PARAMETERS`` order (live arrays,
        no start state)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in self.START_STATES}  # type: ignore[arg-type]
        return {name: value for name, value in values.items() if value is not None}

    def arrays(self) -> list[np.ndarray]:
        """Every gradient, the parameters' (in order) and then the start state's: what element-wise clipping clips."""
        return [*self.parameters().values(), *(getattr(self, name) for name in self.START_STATES)]

    def refuse_non_finite(self) -> None:
        """FloatingPointError ``bptt: the gradient of NAME is not finite (…)`` for the first gradient, in the
        order of ``arrays()``, that holds a NaN or an infinity."""
        named = (*self.parameters().items(), *((name, getattr(self, name)) for name in self.START_STATES))
        for name, value in named:
            refuse_non_finite(value, f"bptt: the gradient of {name}")


class StepGradients:
    """The running gradients of one recurrent layer's W_ih, W_hh and biases (each None when off): what a
    backward step adds to (``rnn_backward_step``, ``lstm_backward_step``, ``gru_backward_step``), for a
    single cell and for each direction of a ``RecurrentStack`` alike. The arrays are the caller's, updated in place."""

    def __init__(self, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray | None, b_hh: np.ndarray | None) -> None:
        self.W_ih, self.W_hh, self.b_ih, self.b_hh = W_ih, W_hh, b_ih, b_hh

    def add(self, dgi: np.ndarray, dgh: np.ndarray, x: np.ndarray, h_prev: np.ndarray) -> None:
        """W_ih += dgi xᵀ, W_hh += dgh h_prevᵀ, b_ih += dgi, b_hh += dgh: one product, one addition per element."""
        self.W_ih += np.outer(dgi, x)
        self.W_hh += np.outer(dgh, h_prev)
        if self.b_ih is not None:
            self.b_ih += dgi
        if self.b_hh is not None:
            self.b_hh += dgh
