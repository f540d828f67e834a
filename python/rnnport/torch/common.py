"""What the state_dict conversions share: the error, the gate counts, reading one array."""
from __future__ import annotations

from typing import Any

import numpy as np

#: Gate blocks per cell, the factor of H in the weights' rows: RNN 1, LSTM 4 (i, f, g, o), GRU 3 (r, z, n).
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class StateDictError(ValueError):
    """A state_dict rnnport does not convert; the one-line message names the key."""


def as_array(key: str, value: Any) -> np.ndarray:
    """``value`` (an array, or a torch tensor) as a fresh float64 array; floating dtypes only, finite."""
    if hasattr(value, "detach"):  # a torch tensor, read without importing torch
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        raise StateDictError(f"{key}: dtype {array.dtype} is not a floating type")
    if not np.isfinite(array).all():
        raise StateDictError(f"{key}: holds a non-finite value")
    return np.array(array, dtype=np.float64)  # float16/32 → float64 is exact
