"""The output layer every cell puts on its state: ``y = W_hy @ h (+ b_y)``. C# twin: each cell's ``Output``."""
from __future__ import annotations

import numpy as np


class OutputLayer:
    """A mixin for a cell with ``kernels``, ``W_hy`` (O, H) and ``b_y`` (O,) or None."""

    def output(self, h: np.ndarray) -> np.ndarray:
        """y = W_hy @ h (+ b_y) for h of shape (H,) or (T, H): (O,) or (T, O), the bias added to the finished product."""
        y = self.kernels.matvec(self.W_hy, h)  # type: ignore[attr-defined]
        return y if self.b_y is None else y + self.b_y  # type: ignore[attr-defined]
