"""Sampling text from a character model, with injectable random draws. C# twin: ``RnnPort.Sampler``.

The draws are uniforms in [0, 1), supplied by the caller: given the same array, Python and C# pick
the same characters, which is how generation is compared across languages. Each pick is the
inverse CDF: the first index i with ``u < cumsum(p)[i]``, the cumulative sum taken left to right;
if rounding leaves ``cumsum(p)[-1] ≤ u``, the last index with p > 0.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.numerics.checks import as_float64, as_int_scalar, as_real_scalar, check_index, check_shape
from rnnport.numerics.loss import softmax


def pick(p: np.ndarray, u: float) -> int:
    """The inverse-CDF choice of index for probabilities p (O,) and a uniform u in [0, 1)."""
    cdf = np.cumsum(p)  # sequential left-to-right sum, like the C# loop
    i = int(np.searchsorted(cdf, u, side="right"))
    return i if i < p.shape[0] else int(np.flatnonzero(p > 0)[-1])


def sample(model: Any, seed_index: int, uniforms: ArrayLike, temperature: float = 1.0,
           h: ArrayLike | None = None) -> list[int]:
    """Generate ``len(uniforms)`` indices, feeding each pick back in as a one-hot input.

    Starts from ``h`` (default ``model.h``) with the one-hot of ``seed_index`` as the first input.
    Leaves the model's state as it was.

    Parameters
    ----------
    model : RNN, LSTM or GRU with I = O (a character model); an LSTM starts from its ``c`` and gets it back
    seed_index : int in [0, I)
    uniforms : (N,) floats in [0, 1)
    temperature : float > 0
    h : (H,), optional

    Raises
    ------
    ValueError
        I ≠ O, a seed index out of range, uniforms outside [0, 1) or not 1-D, temperature ≤ 0.
    FloatingPointError
        A step is not finite, or the temperature is so small that some ``y / temperature`` of a draw
        is not (``softmax``); the model's state is restored either way.
    """
    if model.input_size != model.output_size:
        raise ValueError(f"sampling feeds outputs back as inputs: needs I == O, got I={model.input_size}, "
                         f"O={model.output_size}")
    seed_index = as_int_scalar(seed_index, "seed_index")  # TypeError for True, 1.5, "0"
    check_index(seed_index, model.input_size, "seed index")
    temperature = as_real_scalar(temperature, "temperature")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be finite and > 0, got {temperature}")
    uniforms = as_float64(uniforms, "uniforms")
    check_shape(uniforms, (None,), "uniforms", ("N",))
    if not np.all((uniforms >= 0.0) & (uniforms < 1.0)):
        raise ValueError("uniforms must lie in [0, 1)")
    saved = model.h
    saved_c = model.c if hasattr(model, "c") else None  # an LSTM's cell state moves too
    if h is not None:
        model.h = h  # checked by the setter
    picks = []
    try:
        x = np.zeros(model.input_size)
        index = seed_index
        for n, u in enumerate(uniforms):
            x[:] = 0.0
            x[index] = 1.0
            p = softmax(model.step(x), temperature, model.kernels, f"sample: at draw {n}, y / temperature")
            index = pick(p, float(u))
            picks.append(index)
    finally:
        model.h = saved
        if saved_c is not None:
            model.c = saved_c
    return picks
